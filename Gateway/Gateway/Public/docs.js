// Renders /openapi.yaml with Swagger UI (loaded by docs.html from /vendor/swagger-ui/). Kept out of
// docs.html so that the page works under a Content-Security-Policy of `script-src 'self'`.
"use strict";

window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui");
  if (typeof window.SwaggerUIBundle !== "function") {
    container.textContent = "";
    var message = document.createElement("p");
    message.appendChild(document.createTextNode(
      "Swagger UI could not be loaded from /vendor/swagger-ui/ (the gateway serves it from Debian's " +
      "python3-flasgger package). The API description itself is "));
    var link = document.createElement("a");
    link.href = "/openapi.yaml";
    link.textContent = "/openapi.yaml";
    message.appendChild(link);
    message.appendChild(document.createTextNode("."));
    container.appendChild(message);
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: "/openapi.yaml",
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    displayOperationId: true,
    displayRequestDuration: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 1,
    filter: true,
    // Offline: never ask the public validator service about the document.
    validatorUrl: null
  });
});
