// Renders /openapi.yaml with Swagger UI (loaded by docs.html from /vendor/swagger-ui/). Kept out of
// docs.html so that the page works under a Content-Security-Policy of `script-src 'self'`.
//
// "Try it out" needs an API key: the document declares the `bearerAuth` security scheme, so Swagger UI's
// Authorize button takes a key and sends it as `Authorization: Bearer <key>`. The key is kept for this
// tab in sessionStorage under the dashboard's name (pm-api-key): it survives a reload of /docs, a tab
// signed in to the dashboard comes here authorized, and Logout in the dialog signs the tab out.
// (`persistAuthorization` does the same in Swagger UI 3.31 and later, in localStorage; the 3.28 of
// Debian's python3-flasgger does not have it, hence the small plugin below.)
"use strict";

var KEY_STORAGE = "pm-api-key";
var SCHEME = "bearerAuth";

function storedKey() {
  try {
    return window.sessionStorage.getItem(KEY_STORAGE);
  } catch (e) {
    return null;
  }
}

function storeKey(key) {
  try {
    if (key) window.sessionStorage.setItem(KEY_STORAGE, key);
    else window.sessionStorage.removeItem(KEY_STORAGE);
  } catch (e) {
    // Storage blocked: the key lasts until the page is reloaded.
  }
}

/** The key in an authorize payload: {bearerAuth: {value: "pm_…", …}} (a string for http bearer). */
function keyOf(payload) {
  var auth = payload && payload[SCHEME];
  var value = auth && auth.value;
  return typeof value === "string" ? value.trim() : null;
}

/** Remembers the key given to the Authorize dialog, and forgets it on Logout. */
function KeyPersistencePlugin() {
  return {
    statePlugins: {
      auth: {
        wrapActions: {
          authorize: function (original) {
            return function (payload) {
              var key = keyOf(payload);
              if (key) storeKey(key);
              return original(payload);
            };
          },
          logout: function (original) {
            return function (names) {
              if (Array.isArray(names) ? names.indexOf(SCHEME) >= 0 : true) storeKey(null);
              return original(names);
            };
          }
        }
      }
    }
  };
}

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
    validatorUrl: null,
    persistAuthorization: true,
    plugins: [KeyPersistencePlugin],
    onComplete: function () {
      // Authorized again after a reload (does nothing if the document has no bearerAuth scheme).
      var key = storedKey();
      if (key && window.ui && typeof window.ui.preauthorizeApiKey === "function") {
        window.ui.preauthorizeApiKey(SCHEME, key);
      }
    }
  });
});
