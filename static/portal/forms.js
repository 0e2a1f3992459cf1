// Form behaviours declared in the templates with data attributes: the
// Content-Security-Policy refuses inline event handlers (onsubmit=, onchange=).
//   <form data-confirm="Delete web-1?">      asks before it is sent
//   <select data-submit-on-change>           sends its form when changed
"use strict";

document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-submit-on-change]")) {
    event.target.form.requestSubmit();
  }
});
