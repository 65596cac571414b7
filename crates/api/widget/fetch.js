// The request every page of ours makes to the API. A server with every computation place taken
// sheds a request at once with 503, problem type `busy` and Retry-After (see the API's guard):
// nothing was computed, so the page waits as asked (at most 10 s) and asks again, twice at most,
// before it shows the failure. A 503 for work that took too long (`timed-out`) is not asked again:
// the server would only do that work twice.
(function () {
  "use strict";
  const RETRIES = 2;
  const LONGEST_WAIT_S = 10;
  async function careAtlasFetch(path, init) {
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
  window.careAtlasFetch = careAtlasFetch;
})();
