// Served from the package (no CDN): start Swagger UI on this server's OpenAPI document.
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });
