// What the map (/embed) and the planner share, as `window.careAtlas`:
// - `fetch`: the request every page of ours makes to the API. A server with every computation place
//   taken sheds a request at once with 503, problem type `busy` and Retry-After (see the API's
//   guard): nothing was computed, so the page waits as asked (at most 10 s) and asks again, twice at
//   most, before it shows the failure. A 503 for work that took too long (`timed-out`) is not asked
//   again: the server would only do that work twice.
// - `offerAddressChoices`: the question an address of a town that several municipalities have
//   (東1-2: 蓮田市東一丁目 or 宮代町字東) is answered with: a button for each candidate place.
(function () {
  "use strict";
  const RETRIES = 2;
  const LONGEST_WAIT_S = 10;

  async function fetchRetryingWhenBusy(path, init) {
    for (let attempt = 0; ; attempt += 1) {
      const response = await fetch(path, init);
      if (response.status !== 503 || attempt === RETRIES) return response;
      const problem = await response.clone().json().catch(() => null);
      const header = response.headers.get("Retry-After");
      const wait = header === null ? NaN : Number(header);
      if (problem?.type !== "urn:care-atlas:problem:busy" || !Number.isFinite(wait) || wait < 0) return response;
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, LONGEST_WAIT_S) * 1000));
    }
  }

  /** Puts a button for each of the problem's `candidates` into `container`, the first one focused;
   * a press writes that place's own address into `input` and submits its form again. */
  function offerAddressChoices(container, candidates, input, className = "") {
    const buttons = candidates.map((candidate) => {
      const button = Object.assign(document.createElement("button"), { type: "button", className, textContent: candidate.town, lang: "ja" });
      button.addEventListener("click", () => {
        input.value = candidate.address;
        input.form.requestSubmit();
      });
      return button;
    });
    container.replaceChildren(...buttons);
    buttons[0]?.focus();
  }

  window.careAtlas = { fetch: fetchRetryingWhenBusy, offerAddressChoices };
})();
