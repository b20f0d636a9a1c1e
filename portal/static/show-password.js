/* "Visa lösenordet": a button beside each password field marked data-show-label. Without JavaScript
   the fields work as usual; the labels come from the page, in its language. */
(function () {
  "use strict";
  var fields = document.querySelectorAll("input[type=password][data-show-label]");
  Array.prototype.forEach.call(fields, function (field) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary show-password";
    button.setAttribute("aria-controls", field.id);
    button.setAttribute("aria-pressed", "false");
    button.textContent = field.getAttribute("data-show-label");
    button.addEventListener("click", function () {
      var shown = field.type === "text";
      field.type = shown ? "password" : "text";
      button.setAttribute("aria-pressed", shown ? "false" : "true");
      button.textContent = field.getAttribute(shown ? "data-show-label" : "data-hide-label");
    });
    field.insertAdjacentElement("afterend", button);
  });
  /* a shown password is hidden again before the form is sent, so the browser may offer to save it */
  Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(fields, function (field) { field.type = "password"; });
    });
  });
}());
