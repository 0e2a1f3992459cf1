/* Keeps every task progress bar on an admin page up to date by polling the tasks API
   (the admin session is accepted by the API), backing off while nothing changes. When a
   Task it followed ends, an object's page or a list is reloaded, so its status fields and
   buttons show what the Task left (a list only while no row is selected). */
(function () {
  "use strict";
  const FINISHED = new Set(["succeeded", "failed"]);
  const STATE_LABELS = {
    queued: gettext("queued"), running: gettext("running"),
    succeeded: gettext("succeeded"), failed: gettext("failed"),
  };

  function render(box, task) {
    box.dataset.state = task.state;
    box.querySelector("progress").value = task.progress;
    box.querySelector(".task-state").textContent = STATE_LABELS[task.state] || task.state;
    box.querySelector(".task-message").textContent = task.message || "";
  }

  function follow(box, delay) {
    fetch("/api/v1/tasks/" + box.dataset.taskId, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((task) => {
        const changed = task.progress !== Number(box.querySelector("progress").value) ||
          task.state !== box.dataset.state;
        render(box, task);
        if (FINISHED.has(task.state)) {
          refreshPage();
        } else {
          setTimeout(() => follow(box, changed ? 500 : Math.min(delay * 1.5, 5000)), delay);
        }
      })
      .catch(() => setTimeout(() => follow(box, Math.min(delay * 2, 30000)), delay));
  }

  let leaving = false; // the user is going elsewhere: no reload to race that navigation
  window.addEventListener("beforeunload", () => { leaving = true; });

  function refreshPage() {
    const body = document.body.classList;
    const selecting = document.querySelector("#result_list input.action-select:checked");
    if (leaving) return;
    if (body.contains("change-form") || (body.contains("change-list") && !selecting)) {
      window.location.reload();
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".task-progress").forEach((box) => {
      if (!FINISHED.has(box.dataset.state)) follow(box, 500);
    });
  });
})();
