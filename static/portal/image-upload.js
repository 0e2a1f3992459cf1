/* The admin's "Upload image" page: creates the image through the API, sends the file in
   pieces (PUT .../file with Content-Range, resumed where the portal says it stopped),
   showing the browser->portal progress, then follows the transfer Task (portal->cloud)
   until it ends. Uses the admin session; the API checks the CSRF token. */
(function () {
  "use strict";
  const FINISHED = new Set(["succeeded", "failed"]);
  const RETRIES = 5;

  function csrfToken(form) {
    return form.querySelector("input[name=csrfmiddlewaretoken]").value;
  }

  function errorText(body, status) {
    const error = body && body.error;
    return error ? error.message : interpolate(gettext("The portal answered %s."), [status]);
  }

  function showFieldErrors(form, fields) {
    form.querySelectorAll("[data-errors-for]").forEach((list) => {
      const messages = (fields && fields[list.dataset.errorsFor]) || [];
      list.replaceChildren(...messages.map((text) => {
        const item = document.createElement("li");
        item.textContent = text;
        return item;
      }));
      list.hidden = messages.length === 0;
    });
  }

  function request(method, url, token, body, headers) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: Object.assign({ "X-CSRFToken": token, Accept: "application/json" }, headers),
      body: body,
    }).then((response) => response.json().catch(() => ({})).then((json) => ({ status: response.status, body: json })));
  }

  // One piece, by XHR: fetch() cannot report upload progress.
  function sendPiece(url, token, file, start, end, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("PUT", url);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.setRequestHeader("Content-Range", "bytes " + start + "-" + (end - 1) + "/" + file.size);
      xhr.setRequestHeader("X-CSRFToken", token);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = (event) => onProgress(start + event.loaded);
      xhr.onload = () => {
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        resolve({ status: xhr.status, body: body });
      };
      xhr.onerror = () => reject(new Error(gettext("The connection to the portal was lost.")));
      xhr.send(file.slice(start, end));
    });
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

  async function followTask(ui, tasksUrl, taskId) {
    let delay = 500;
    while (true) {
      const answer = await request("GET", tasksUrl + taskId, "");
      if (answer.status === 200) {
        ui.cloudProgress(answer.body);
        if (FINISHED.has(answer.body.state)) return answer.body;
      }
      await new Promise((done) => setTimeout(done, delay));
      delay = Math.min(delay * 1.2, 3000);
    }
  }

  function statusPanel(form) {
    const panel = document.getElementById("image-upload-status");
    const find = (role) => panel.querySelector("[data-role=" + role + "]");
    const portalBar = document.getElementById("upload-to-portal");
    const cloudBar = document.getElementById("upload-to-cloud");
    return {
      show() { panel.hidden = false; find("error").hidden = true; },
      fail(message) { const box = find("error"); box.textContent = message; box.hidden = false; },
      portalProgress(sent, total) {
        const size = total || Number(form.dataset.fileSize);
        portalBar.value = Math.floor((sent * 100) / Math.max(size, 1));
        find("portal-text").textContent = interpolate(gettext("%s of %s MB"),
          [(sent / 1048576).toFixed(1), (size / 1048576).toFixed(1)]);
      },
      cloudProgress(task) {
        cloudBar.value = task.progress;
        find("cloud-text").textContent = task.message || task.state;
      },
      done() { find("done").hidden = false; },
    };
  }

  async function upload(form) {
    const token = csrfToken(form);
    const file = form.querySelector("input[type=file]").files[0];
    const ui = statusPanel(form);
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
      const ended = await followTask(ui, form.dataset.tasksUrl, task.task_id);
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
