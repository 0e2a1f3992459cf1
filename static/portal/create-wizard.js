// "Create server": choosing a tenant reloads the first step at once (the button stays for
// pages without JavaScript).
document.addEventListener("DOMContentLoaded", () => {
  const picker = document.querySelector("#tenant-picker select");
  picker?.addEventListener("change", () => picker.form.submit());
});
