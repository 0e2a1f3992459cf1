/* The admin's "Upload an ISO" page: creates the ISO through the API (POST /api/v1/isos),
   sends the file by XHR (PUT .../file, raw body) showing browser->portal progress, then
   follows the transfer Task (portal->FTP server) until it ends. Uses the admin session;
   the API checks the CSRF token. What it shares with the image upload page is in
   upload.js (window.PortalUpload). */
(function () {
  "use strict";
  const { csrfToken, errorText, showFieldErrors, request, putBytes, followTask, statusPanel } =
    window.PortalUpload;

  function createIso(form, token) {
    const data = new FormData(form);
    const body = {
      ftp_server_id: data.get("ftp_server_id"), iso_name: data.get("iso_name"),
      iso_desc: data.get("iso_desc") || "", os_type: data.get("os_type") || "",
    };
    return request("POST", form.dataset.apiUrl, token, JSON.stringify(body),
      { "Content-Type": "application/json" });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("iso-upload-form");
    if (!form) return;
    const ui = statusPanel("iso-upload-status");
    const fail = (message) => {
      ui.fail(message);
      ui.done();
    };

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const token = csrfToken(form);
      const file = form.querySelector("input[type=file]").files[0];
      if (!file) {
        showFieldErrors(form, { file: [gettext("Choose a file.")] });
        return;
      }
      const created = await createIso(form, token);
      if (created.status !== 201) {
        showFieldErrors(form, created.body.error && created.body.error.fields);
        if (!(created.body.error && Object.keys(created.body.error.fields || {}).length)) {
          ui.show();
          fail(errorText(created.body, created.status));
        }
        return;
      }
      showFieldErrors(form, {});
      form.hidden = true;
      ui.show();
      let answer;
      try {
        answer = await putBytes(form.dataset.apiUrl + "/" + created.body.iso_id + "/file", token, file,
          {}, (sent) => ui.progress("iso-to-portal", "portal-text", sent, file.size));
      } catch (error) {
        fail(error.message);
        return;
      }
      if (answer.status !== 202) {
        fail(errorText(answer.body, answer.status));
        return;
      }
      document.getElementById("iso-to-portal").value = 100;
      const task = await followTask(answer.body.task.task_id,
        (current) => ui.task("iso-to-ftp", "ftp-text", current));
      if (task.state === "failed") fail(task.message);
      else ui.done();
    });
  });
})();
