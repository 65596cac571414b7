// The care-atlas map widget: facilities by kind, municipal boundaries, a coverage-gap overlay, the
// nearest services to a clicked point, and a list view that mirrors the map for keyboards, screen
// readers and small screens. Talks only to the care-atlas API of the server that served it.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("care-atlas-config").textContent);
  const lang = config.lang;
  const text = {
    ja: {
      legend: "種別", filter: "表示する種別", gaps: "空白地域を表示", radius: "到達距離",
      uncovered: (people, km) => `到達圏外の人口 約${people.toLocaleString("ja-JP")}人（${km} km以内に施設なし）`,
      nearest: "クリックした地点から近い施設", list: "施設一覧", help: "地図をクリックすると近くの施設を距離順に表示します。一覧から施設を選ぶと地図上に表示します。",
      name: "名称", kind: "種別", homeCareClass: "在宅療養支援の区分", filings: "在宅医療の届出", address: "住所", phone: "電話", link: "ウェブサイト", position: "位置", source: "出典", contactSource: "電話・ウェブサイトの出典", dataSources: "データの出典（下記）", asOf: "時点",
      approximate: "位置は町丁目の代表点（概略）", exact: "位置は公表座標", metres: "m", none: "該当する施設はありません",
      loadFailed: "データを読み込めませんでした", count: (n) => `${n}件`,
      noData: "データなし", partialKind: "一部のみ", atLeast: "以上・一部のみ",
      noDataGaps: (labels) => `${labels}はデータなし：出典がないため空白地域は表示できません`,
      partialGaps: "一部のみ（上限値）：出典にない施設があるため、圏外の人口は実際より多く表示されている可能性があります",
      leftOut: (labels) => `${labels}はデータなしのため含みません`,
    },
    en: {
      legend: "Kinds", filter: "Kinds shown", gaps: "Show coverage gaps", radius: "Reach",
      uncovered: (people, km) => `About ${people.toLocaleString("en-GB")} residents farther than ${km} km from any facility`,
      nearest: "Nearest to the point you clicked", list: "Facilities", help: "Click the map to list the nearest facilities by distance. Choose a facility in the list to show it on the map.",
      name: "Name", kind: "Kind", homeCareClass: "Home-care support class (在宅療養支援)", filings: "Home-care filings (届出)", address: "Address", phone: "Phone", link: "Web site", position: "Position", source: "Source", contactSource: "Phone and web site from", dataSources: "Data sources (below)", asOf: "As of",
      approximate: "approximate: the town's representative point", exact: "as published by the source", metres: "m", none: "No facilities",
      loadFailed: "Could not load the data", count: (n) => `${n} facilities`,
      noData: "no data", partialKind: "partial", atLeast: " or more, partial",
      noDataGaps: (labels) => `${labels}: no data. With no source, coverage gaps cannot be shown`,
      partialGaps: "partial (upper bound): some facilities are not in our sources, so fewer people may be out of reach",
      leftOut: (labels) => `${labels}: no data, not included`,
    },
  }[lang];
  const palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#e7969c", "#fdd835"];

  const $ = (id) => document.getElementById(id);
  const el = (tag, props = {}, children = []) => {
    const node = Object.assign(document.createElement(tag), props);
    for (const child of children) node.append(child);
    return node;
  };
  const api = async (path) => {
    const response = await fetch(path, { headers: { Accept: "application/json", "Accept-Language": lang } });
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return response.json();
  };

  $("legend-title").textContent = text.legend;
  $("kind-filter-label").textContent = text.filter;
  $("gap-label").textContent = text.gaps;
  $("radius-label").textContent = text.radius;
  $("nearest-title").textContent = text.nearest;
  $("list-title").textContent = text.list;
  $("map-help").textContent = text.help;

  // The footer is filled before the map is made, so that the map is sized for the final layout.
  $("attribution").innerHTML = config.data_attribution;
  const map = L.map("map", { center: [config.lat, config.lon], zoom: config.zoom, keyboard: true });
  if (config.tiles) {
    L.tileLayer(config.tiles.url, { attribution: config.tiles.attribution, maxZoom: 18 }).addTo(map);
  }
  // The full credit of every source is too long for the map's corner, where it would cover markers:
  // the corner links to it, in the page's footer.
  map.attributionControl.addAttribution(`<a href="#attribution">${text.dataSources}</a>`);

  const boundaries = L.layerGroup().addTo(map);
  const markers = L.layerGroup().addTo(map);
  const gaps = L.layerGroup().addTo(map);
  const clicked = L.layerGroup().addTo(map);
  const kinds = config.kinds;
  const colour = new Map(kinds.map((k, i) => [k.id, palette[i % palette.length]]));
  const shown = new Set(config.kind.length ? config.kind : kinds.map((k) => k.id));
  let facilities = [];
  const markerOf = new Map();

  for (const k of kinds) {
    const box = el("input", { type: "checkbox", checked: shown.has(k.id), value: k.id, id: `kind-${k.id}` });
    box.addEventListener("change", () => {
      if (box.checked) shown.add(k.id); else shown.delete(k.id);
      draw();
    });
    const swatch = el("span", { className: "swatch" });
    swatch.style.background = colour.get(k.id);
    const label = el("label", { htmlFor: box.id }, [box, swatch, k.label]);
    // Unknown is never shown as zero: a kind with no source says so, and one known in part too.
    if (k.supply === "unknown") label.append(" ", el("span", { className: "no-data", textContent: `（${text.noData}）` }));
    if (k.supply === "partial") label.append(" ", el("span", { className: "partial", textContent: `（${text.partialKind}）` }));
    label.dataset.supply = k.supply;
    $("kind-filter").append(label);
  }
  const supplyOf = new Map(kinds.map((k) => [k.id, k.supply]));
  const labelOf = new Map(kinds.map((k) => [k.id, k.label]));

  function popup(p) {
    const rows = [[text.name, p.name], [text.kind, p.kind_label]];
    // The register's class and filings are shown in Japanese, as the 厚生局 publishes them.
    if (p.home_care_class) rows.push([text.homeCareClass, p.home_care_class.label_ja]);
    if (p.filings && p.filings.length) {
      rows.push([text.filings, p.filings.map((f) => (f.label_ja ? `${f.symbol}（${f.label_ja}）` : f.symbol)).join("、")]);
    }
    rows.push([text.address, p.address]);
    if (p.phone) rows.push([text.phone, p.phone]);
    rows.push([text.position, p.position_precision === "source" ? text.exact : text.approximate]);
    rows.push([text.source, p.source], [text.asOf, p.as_of || "—"]);
    if (p.contact_source) rows.push([text.contactSource, p.contact_source]);
    const list = el("dl", { className: "popup" });
    for (const [term, value] of rows) list.append(el("dt", { textContent: term }), el("dd", { textContent: value }));
    if (p.url && /^https?:\/\//.test(p.url)) {
      list.append(el("dt", { textContent: text.link }), el("dd", {}, [el("a", { href: p.url, textContent: p.url, target: "_blank", rel: "noopener" })]));
    }
    return list;
  }

  function entry(feature, extra) {
    const p = feature.properties;
    const button = el("button", { type: "button" }, [p.name, " ", el("span", { className: "kind", textContent: `(${p.kind_label})` })]);
    if (p.position_precision !== "source") button.append(" ", el("span", { className: "approximate", textContent: "≈" }));
    if (extra) button.append(" ", extra);
    button.addEventListener("click", () => {
      const marker = markerOf.get(feature.id);
      if (marker) {
        map.setView(marker.getLatLng(), Math.max(map.getZoom(), 15));
        marker.openPopup();
      }
    });
    const item = el("li", {}, [button]);
    item.setAttribute("data-id", feature.id);
    return item;
  }

  function draw() {
    markers.clearLayers();
    markerOf.clear();
    const visible = facilities.filter((f) => shown.has(f.properties.kind));
    const items = [];
    for (const f of visible) {
      const [lon, lat] = f.geometry.coordinates;
      const marker = L.circleMarker([lat, lon], {
        radius: 6, color: "#222", weight: 1, fillColor: colour.get(f.properties.kind), fillOpacity: 0.9,
        className: "care-atlas-marker", bubblingMouseEvents: false,
      }).bindPopup(() => popup(f.properties));
      marker.on("add", () => marker.getElement()?.setAttribute("data-id", f.id));
      markers.addLayer(marker);
      markerOf.set(f.id, marker);
      items.push(entry(f));
    }
    // A shown kind with no source has no facilities we know of, not none: never count it as 0.
    const unknown = [...shown].filter((id) => supplyOf.get(id) === "unknown");
    const onlyUnknown = unknown.length > 0 && unknown.length === shown.size;
    const unknownNames = unknown.map((id) => labelOf.get(id)).join("・");
    if (unknown.length) {
      items.push(el("li", { className: "no-data", textContent: text.leftOut(unknownNames) }));
    } else if (!items.length) {
      items.push(el("li", { textContent: text.none }));
    }
    $("facility-list").replaceChildren(...items);
    // A count of a partly known kind is a lower bound: say so beside it.
    const partial = [...shown].some((id) => supplyOf.get(id) === "partial");
    const count = onlyUnknown ? text.noData : text.count(visible.length);
    $("list-title").textContent = `${text.list} (${partial ? `${count}${text.atLeast}` : count})`;
  }

  async function showGaps() {
    gaps.clearLayers();
    const summary = $("gap-summary");
    summary.textContent = "";
    summary.removeAttribute("title");
    delete summary.dataset.completeness;
    if (!$("gap-toggle").checked) return;
    const selected = shown.size ? [...shown] : kinds.map((k) => k.id);
    // A kind with no source is never drawn as a gap: all red would show unknown as none.
    const unknown = selected.filter((id) => supplyOf.get(id) === "unknown");
    const known = selected.filter((id) => supplyOf.get(id) !== "unknown");
    const names = (ids) => ids.map((id) => labelOf.get(id)).join("・");
    if (!known.length) {
      summary.textContent = text.noDataGaps(names(unknown));
      summary.dataset.completeness = "unknown";
      return;
    }
    const radius = $("gap-radius").value;
    const query = new URLSearchParams({ radius_m: radius });
    if (known.length < kinds.length) query.set("kind", known.join(","));
    if (config.area) query.set("area", config.area);
    const result = await api(`/coverage-gaps?${query}`);
    L.geoJSON(result, { style: { color: "#b00020", weight: 1, fillColor: "#ff4d6d", fillOpacity: 0.35, className: "care-atlas-gap" }, interactive: false }).addTo(gaps);
    const people = Math.round(result.summary.reduce((sum, s) => sum + s.population_uncovered, 0));
    const parts = [text.uncovered(people, radius / 1000)];
    // Kinds left out for want of a source can only make the gap smaller: it is an upper bound too.
    const partial = result.completeness === "partial" || unknown.length > 0;
    if (partial) parts.push(text.partialGaps);
    if (unknown.length) parts.push(text.leftOut(names(unknown)));
    summary.textContent = parts.join(lang === "ja" ? "。" : ". ");
    summary.dataset.completeness = partial ? "partial" : "complete";
    if (result.completeness_note) summary.title = result.completeness_note;
  }
  $("gap-toggle").addEventListener("change", showGaps);
  $("gap-radius").addEventListener("change", showGaps);

  map.on("click", async (event) => {
    const { lat, lng } = event.latlng;
    clicked.clearLayers();
    L.circleMarker([lat, lng], { radius: 4, color: "#000", className: "care-atlas-origin" }).addTo(clicked);
    const query = new URLSearchParams({ lat: lat.toFixed(6), lon: lng.toFixed(6), k: "5", lang });
    if (shown.size && shown.size < kinds.length) query.set("kind", [...shown].join(","));
    const result = await api(`/nearest?${query}`);
    const items = result.features.map((f) => entry(f, el("span", { className: "kind", textContent: `${Math.round(f.properties.distance_m).toLocaleString()} ${text.metres}` })));
    $("nearest-list").replaceChildren(...(items.length ? items : [el("li", { textContent: text.none })]));
  });

  async function load() {
    // Every kind is loaded so that the filter can show the others too; `kind` picks those shown first.
    const query = new URLSearchParams({ limit: "10000", lang });
    if (config.area) query.set("municipality", config.area);
    const [items, areas] = await Promise.all([api(`/collections/facilities/items?${query}`), api("/areas")]);
    facilities = items.features;
    L.geoJSON(areas, {
      style: (f) => ({ color: f.properties.in_study_area ? "#333" : "#888", weight: f.properties.in_study_area ? 2 : 1, dashArray: f.properties.in_study_area ? null : "4 4", fill: false, className: "care-atlas-boundary" }),
      interactive: false,
    }).addTo(boundaries);
    draw();
    document.body.dataset.ready = "true";
  }
  load().catch(() => {
    $("facility-list").replaceChildren(el("li", { textContent: text.loadFailed }));
    document.body.dataset.ready = "error";
  });
})();
