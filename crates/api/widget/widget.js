// <care-atlas-map>: the care-atlas map for sites that allow scripts. It renders the same page as
// /embed in a frame, with the same options as attributes:
//   <script src="https://SERVER/widget.js"></script>
//   <care-atlas-map kind="visiting_nursing_station" area="MUNICIPALITY_CODE" lang="ja"></care-atlas-map>
// (area: a municipality code from /areas; lat, lon and zoom: the initial view, by default the area)
// The frame is 600 px tall unless `height` says otherwise; on a narrow screen, where the map page is
// one column, it grows to the page's height so that nothing scrolls inside the host's page. Its
// title is the map's own (in the map's language) unless the element has a `title`.
(function () {
  "use strict";
  const origin = new URL(document.currentScript.src).origin;
  const options = ["kind", "area", "lang", "lat", "lon", "zoom", "tiles"];
  const defaultTitle = { ja: "在宅医療・介護資源マップ", en: "Home-care resource map" };
  const frames = new Map();
  window.addEventListener("message", (event) => {
    if (event.origin !== origin || !event.data || event.data.type !== "care-atlas:size") return;
    const element = frames.get(event.source);
    if (element) element.resize(event.data);
  });
  class CareAtlasMap extends HTMLElement {
    static get observedAttributes() { return options.concat(["height", "title"]); }
    connectedCallback() { this.render(); }
    disconnectedCallback() { if (this.frame) frames.delete(this.frame.contentWindow); }
    attributeChangedCallback() { if (this.isConnected) this.render(); }
    render() {
      const query = new URLSearchParams();
      for (const name of options) {
        const value = this.getAttribute(name);
        if (value) query.set(name, value);
      }
      const frame = document.createElement("iframe");
      frame.src = `${origin}/embed?${query}`;
      frame.title = this.getAttribute("title") || defaultTitle[this.getAttribute("lang") === "en" ? "en" : "ja"];
      frame.loading = "lazy";
      this.height = this.getAttribute("height") || "600px";
      frame.style.cssText = `display:block;width:100%;height:${this.height};border:0;`;
      if (this.frame) frames.delete(this.frame.contentWindow);
      this.replaceChildren(frame);
      this.frame = frame;
      frames.set(frame.contentWindow, this);
    }
    /** The page inside says how tall it is and what it is called. */
    resize({ height, title }) {
      if (title && !this.getAttribute("title")) this.frame.title = title;
      const wanted = Number(height);
      if (!Number.isFinite(wanted) || wanted <= 0) return;
      // A wide page fills whatever height it is given; a narrow one asks for its own.
      this.frame.style.height = `${Math.max(Math.ceil(wanted), 1)}px`;
    }
  }
  if (!customElements.get("care-atlas-map")) customElements.define("care-atlas-map", CareAtlasMap);
})();
