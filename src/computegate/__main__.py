from computegate.surfaces.cli import main

main()
