/* The admin's "Upload image" page: creates the image through the API, sends the file in
   pieces (PUT .../file with Content-Range, resumed where the portal says it stopped),
   showing the browser->portal progress, then follows the transfer Task (portal->cloud)
   until it ends. Uses the admin session; the API checks the CSRF token. What it shares
   with the ISO upload page is in upload.js (window.PortalUpload). */
(function () {
  "use strict";
  const RETRIES = 5;
  const { csrfToken, errorText, showFieldErrors, request, putBytes, followTask, statusPanel } =
    window.PortalUpload;

  // One piece; onProgress(bytes of the file sent so far).
  function sendPiece(url, token, file, start, end, onProgress) {
    const range = "bytes " + start + "-" + (end - 1) + "/" + file.size;
    return putBytes(url, token, file.slice(start, end), { "Content-Range": range },
      (loaded) => onProgress(start + loaded));
  }

  async function sendFile(ui, imageUrl, token, file, pieceSize) {
    let offset = 0;
    let failures = 0;
    while (true) {
      const end = Math.min(offset + pieceSize, file.size);
      let answer;
      try {
        answer = await sendPiece(imageUrl + "/file", token, file, offset, end, ui.portalProgress);
      } catch (error) {
        if (++failures > RETRIES) throw error;
        await new Promise((done) => setTimeout(done, 1000 * failures));
        // Ask where the portal got to, then go on from there.
        const image = await request("GET", imageUrl, token);
        offset = (image.body && image.body.received_bytes) || 0;
        continue;
      }
      if (answer.status === 202) return answer.body.task;
      if (answer.status === 200) {
        offset = answer.body.received_bytes;
        failures = 0;
        continue;
      }
      const error = answer.body && answer.body.error;
      if (answer.status === 409 && error && error.code === "wrong_offset") {
        offset = error.fields.received_bytes;
        continue;
      }
      throw new Error(errorText(answer.body, answer.status));
    }
  }

  function uploadPanel(form) {
    const panel = statusPanel("image-upload-status");
    return Object.assign(panel, {
      portalProgress(sent) {
        const size = Number(form.dataset.fileSize);
        panel.progress("upload-to-portal", "portal-text", sent, size,
          interpolate(gettext("%s of %s MB"), [(sent / 1048576).toFixed(1), (size / 1048576).toFixed(1)]));
      },
      cloudProgress(task) { panel.task("upload-to-cloud", "cloud-text", task); },
    });
  }

  async function upload(form) {
    const token = csrfToken(form);
    const file = form.querySelector("input[type=file]").files[0];
    const ui = uploadPanel(form);
    showFieldErrors(form, {});
    if (!file) {
      showFieldErrors(form, { file: [gettext("Choose the image file.")] });
      return;
    }
    form.dataset.fileSize = file.size;
    const metadata = {};
    new FormData(form).forEach((value, name) => {
      if (name !== "file" && name !== "csrfmiddlewaretoken") metadata[name] = value;
    });
    const created = await request("POST", form.dataset.apiUrl, token, JSON.stringify(metadata),
      { "Content-Type": "application/json" });
    if (created.status !== 201) {
      showFieldErrors(form, created.body.error && created.body.error.fields);
      ui.show();
      ui.fail(errorText(created.body, created.status));
      return;
    }
    form.querySelector("[type=submit]").disabled = true;
    ui.show();
    const imageUrl = form.dataset.apiUrl + "/" + created.body.image_id;
    try {
      const task = await sendFile(ui, imageUrl, token, file, Number(form.dataset.pieceSize));
      ui.portalProgress(file.size);
      const ended = await followTask(task.task_id, ui.cloudProgress, form.dataset.tasksUrl);
      if (ended.state === "failed") ui.fail(ended.message);
    } catch (error) {
      ui.fail(error.message);
    }
    ui.done();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("image-upload-form");
    if (!form) return;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      upload(form);
    });
  });
})();
