// Swagger UI over Tally's OpenAPI document. "Authorize" takes a token once (Bearer, or
// `Api-Token <token>`); it is kept for the tab's lifetime only.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("tally-config").textContent);
  window.ui = SwaggerUIBundle({
    url: config.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
    displayRequestDuration: true,
    tryItOutEnabled: false,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
  });
})();
