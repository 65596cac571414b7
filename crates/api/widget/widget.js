// <care-atlas-map>: the care-atlas map for sites that allow scripts. It renders the same page as
// /embed in a frame, with the same options as attributes:
//   <script src="https://SERVER/widget.js"></script>
//   <care-atlas-map kind="visiting_nursing_station" area="MUNICIPALITY_CODE" lang="ja" zoom="13"></care-atlas-map>
// (area: a municipality code from /areas; lat and lon: the initial centre, by default the study area's)
(function () {
  "use strict";
  const origin = new URL(document.currentScript.src).origin;
  const options = ["kind", "area", "lang", "lat", "lon", "zoom", "tiles"];
  class CareAtlasMap extends HTMLElement {
    static get observedAttributes() { return options.concat(["height"]); }
    connectedCallback() { this.render(); }
    attributeChangedCallback() { if (this.isConnected) this.render(); }
    render() {
      const query = new URLSearchParams();
      for (const name of options) {
        const value = this.getAttribute(name);
        if (value) query.set(name, value);
      }
      const frame = document.createElement("iframe");
      frame.src = `${origin}/embed?${query}`;
      frame.title = this.getAttribute("title") || "care-atlas";
      frame.loading = "lazy";
      frame.style.cssText = `width:100%;height:${this.getAttribute("height") || "600px"};border:0;`;
      this.replaceChildren(frame);
    }
  }
  if (!customElements.get("care-atlas-map")) customElements.define("care-atlas-map", CareAtlasMap);
})();
