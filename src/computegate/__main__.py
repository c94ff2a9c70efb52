from computegate.cli import main

main()
