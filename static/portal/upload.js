/* What the admin's upload pages (image-upload.js, iso-upload.js) share, as
   window.PortalUpload: the CSRF token, calls to the API with the admin session, the
   file sent by XHR with its progress, the API's errors shown on the page and the
   transfer Task followed to its end. Load it before the page's own script. */
(function () {
  "use strict";
  const FINISHED = new Set(["succeeded", "failed"]);
  const TASKS_URL = "/api/v1/tasks/";

  function csrfToken(form) {
    return form.querySelector("input[name=csrfmiddlewaretoken]").value;
  }

  // The message of the API's error shape ({"error": {"code", "message", "fields"}}).
  function errorText(body, status) {
    const error = body && body.error;
    return error ? error.message : interpolate(gettext("The portal answered %s."), [status]);
  }

  // Fills each <ul data-errors-for="field"> from the API's error fields; hides the empty.
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

  // fetch() with the admin session; resolves to {status, body} (body {} if not JSON).
  function request(method, url, token, body, headers) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: Object.assign({ "X-CSRFToken": token, Accept: "application/json" }, headers),
      body: body,
    }).then((response) => response.json().catch(() => ({})).then((json) => ({ status: response.status, body: json })));
  }

  // PUT of raw bytes by XHR (fetch() cannot report upload progress): onProgress(bytes sent
  // so far of this body); resolves to {status, body}, rejects when the connection is lost.
  function putBytes(url, token, data, headers, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("PUT", url);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      Object.entries(headers || {}).forEach(([name, value]) => xhr.setRequestHeader(name, value));
      xhr.setRequestHeader("X-CSRFToken", token);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = (event) => onProgress(event.loaded);
      xhr.onload = () => {
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        resolve({ status: xhr.status, body: body });
      };
      xhr.onerror = () => reject(new Error(gettext("The connection to the portal was lost.")));
      xhr.send(data);
    });
  }

  // Polls the tasks API until the Task ends, backing off (further while the portal
  // cannot be reached); onUpdate(task) at each answer; resolves to the ended Task.
  async function followTask(taskId, onUpdate, tasksUrl) {
    const url = (tasksUrl || TASKS_URL) + taskId;
    let delay = 500;
    while (true) {
      let answer = null;
      try {
        answer = await request("GET", url, "");
      } catch (error) { /* the portal is out of reach for now: try again later */ }
      if (answer && answer.status === 200) {
        onUpdate(answer.body);
        if (FINISHED.has(answer.body.state)) return answer.body;
      }
      await new Promise((done) => setTimeout(done, delay));
      delay = answer ? Math.min(delay * 1.2, 3000) : Math.min(delay * 2, 10000);
    }
  }

  // The status panel of templates/admin/portal/upload_progress.html.
  function statusPanel(panelId) {
    const panel = document.getElementById(panelId);
    const find = (role) => panel.querySelector("[data-role=" + role + "]");
    return {
      find: find,
      show() { panel.hidden = false; find("error").hidden = true; find("done").hidden = true; },
      fail(message) { const box = find("error"); box.textContent = message; box.hidden = false; },
      done() { find("done").hidden = false; },
      // Sets a <progress> to `sent` of `total` and the text beside it (the % if none given).
      progress(barId, textRole, sent, total, text) {
        const bar = document.getElementById(barId);
        bar.value = Math.floor((sent * 100) / Math.max(total, 1));
        find(textRole).textContent = text === undefined ? bar.value + "%" : text;
      },
      // Shows a Task's progress and message (its state while it has none).
      task(barId, textRole, task) {
        document.getElementById(barId).value = task.progress;
        find(textRole).textContent = task.message || task.state;
      },
    };
  }

  window.PortalUpload = {
    csrfToken: csrfToken,
    errorText: errorText,
    showFieldErrors: showFieldErrors,
    request: request,
    putBytes: putBytes,
    followTask: followTask,
    statusPanel: statusPanel,
  };
})();
