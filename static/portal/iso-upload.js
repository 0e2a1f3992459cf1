/* The admin's "Upload an ISO" page: creates the ISO through the API (POST /api/v1/isos),
   sends the file by XHR (PUT .../file, raw body) showing browser->portal progress, then
   follows the transfer Task (portal->FTP server) until it ends. Uses the admin session;
   the API checks the CSRF token. */
(function () {
  "use strict";
  const FINISHED = new Set(["succeeded", "failed"]);

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

  function createIso(form, token) {
    const data = new FormData(form);
    const body = {
      ftp_server_id: data.get("ftp_server_id"), iso_name: data.get("iso_name"),
      iso_desc: data.get("iso_desc") || "", os_type: data.get("os_type") || "",
    };
    return fetch(form.dataset.apiUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    }).then((response) => response.json().catch(() => ({}))
      .then((json) => ({ status: response.status, body: json })));
  }

  // XHR, not fetch(): only XHR reports upload progress.
  function sendFile(url, token, file, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("PUT", url);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.setRequestHeader("X-CSRFToken", token);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = (event) => onProgress(event.loaded, file.size);
      xhr.onload = () => {
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        resolve({ status: xhr.status, body: body });
      };
      xhr.onerror = () => reject(new Error(gettext("The connection to the portal was lost.")));
      xhr.send(file);
    });
  }

  function followTask(taskId, onUpdate) {
    return new Promise((resolve) => {
      const poll = (delay) => {
        fetch("/api/v1/tasks/" + taskId, { credentials: "same-origin" })
          .then((response) => response.json())
          .then((task) => {
            onUpdate(task);
            if (FINISHED.has(task.state)) resolve(task);
            else setTimeout(() => poll(Math.min(delay * 1.3, 3000)), delay);
          })
          .catch(() => setTimeout(() => poll(Math.min(delay * 2, 10000)), delay));
      };
      poll(500);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("iso-upload-form");
    if (!form) return;
    const status = document.getElementById("iso-upload-status");
    const find = (role) => status.querySelector("[data-role=" + role + "]");
    const fail = (message) => {
      const note = find("error");
      note.textContent = message;
      note.hidden = false;
      find("done").hidden = false;
    };

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
      const file = form.querySelector("input[type=file]").files[0];
      if (!file) {
        showFieldErrors(form, { file: [gettext("Choose a file.")] });
        return;
      }
      const created = await createIso(form, token);
      if (created.status !== 201) {
        showFieldErrors(form, created.body.error && created.body.error.fields);
        if (!(created.body.error && Object.keys(created.body.error.fields || {}).length)) {
          status.hidden = false;
          fail(errorText(created.body, created.status));
        }
        return;
      }
      showFieldErrors(form, {});
      form.hidden = true;
      status.hidden = false;
      const toPortal = document.getElementById("iso-to-portal");
      const toFtp = document.getElementById("iso-to-ftp");
      let answer;
      try {
        answer = await sendFile(form.dataset.apiUrl + "/" + created.body.iso_id + "/file", token, file,
          (sent, total) => {
            toPortal.value = Math.floor((100 * sent) / Math.max(total, 1));
            find("portal-text").textContent = toPortal.value + "%";
          });
      } catch (error) {
        fail(error.message);
        return;
      }
      if (answer.status !== 202) {
        fail(errorText(answer.body, answer.status));
        return;
      }
      toPortal.value = 100;
      const task = await followTask(answer.body.task.task_id, (current) => {
        toFtp.value = current.progress;
        find("ftp-text").textContent = current.message || current.state;
      });
      if (task.state === "failed") fail(task.message);
      else find("done").hidden = false;
    });
  });
})();
