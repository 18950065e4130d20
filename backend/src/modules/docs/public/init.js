// Starts Swagger UI on this server's own document. A file, not an inline script: the page's
// Content-Security-Policy allows scripts from this origin only.
window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  defaultModelsExpandDepth: 0,
  displayRequestDuration: true,
  // Validation against an external validator service would send the document off the machine.
  validatorUrl: null,
});
