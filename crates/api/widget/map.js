// The care-atlas map widget, made to be framed by a municipal page: facilities by kind (colour,
// symbol and a shape that tells how well the position is known), town boundaries and names, a
// coverage-gap overlay, and the nearest facilities to an address, a clicked point or the map's
// centre, with phone, web site, opening days and the official page. Everything the map shows is
// also reachable by keyboard and announced to screen readers. Talks only to the care-atlas API of
// the server that served it, and tells a framing page its height (postMessage, see README).
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("care-atlas-config").textContent);
  const lang = config.lang;
  const text = {
    ja: {
      kinds: "種別", filter: "地図と検索に使う種別", close: "閉じる", all: "すべての種別", nKinds: (n) => `${n}種別`,
      gaps: "空白地域", radius: "到達距離",
      uncovered: (people, km) => `到達圏外の人口 約${people.toLocaleString("ja-JP")}人（${km} km以内に施設なし）`,
      addressLabel: "住所から近い施設を探す", search: "探す", centreSearch: "地図の中心から探す",
      addressHint: "例：白岡市新白岡4-14、新白岡４丁目。町丁目の代表点から測ります（番地までは使いません）。",
      skipMap: "地図を飛ばして施設一覧へ",
      help: "地図をクリックするか、矢印キーで地図を動かして「地図の中心から探す」を押すと、近い施設を距離順に表示します。施設の記号を選ぶと詳細を表示します。Escキーで閉じます。",
      results: "近い施設", resultsEmpty: "住所を入力するか、地図をクリックしてください。",
      fromAddress: (town, approx) => `起点：${town}（${approx ? "町丁目の代表点の平均" : "町丁目の代表点"}）`,
      fromPoint: "起点：地図上でクリックした地点", fromCentre: "起点：地図の中心", point: "クリックした地点", centre: "地図の中心",
      found: (n, what, from) => `${from}から近い${what} ${n}件を表示しました。`,
      none: "該当する施設はありません", list: "施設一覧", listArea: (town) => `${town}の施設一覧`,
      name: "名称", kind: "種別", homeCareClass: "在宅療養支援の区分", filings: "在宅医療の届出", address: "住所", phone: "電話", link: "ウェブサイト", detail: "公表システムの事業所ページ", openDays: "利用可能日", position: "位置", source: "出典", contactSource: "電話・ウェブサイトの出典", dataSources: "データの出典", asOf: "時点",
      approximate: "位置は町丁目の代表点（概略）", exact: "位置は公表座標", showOnMap: "地図で見る",
      loadFailed: "データを読み込めませんでした。時間をおいて再読み込みしてください。", count: (n) => `${n}件`,
      noData: "データなし", partialKind: "一部のみ", atLeast: "以上・一部のみ",
      noDataKinds: (labels) => `${labels}はデータなし：出典がないため、施設の有無も距離も示せません。`,
      noDataGaps: (labels) => `${labels}はデータなし：出典がないため空白地域は表示できません`,
      partialGaps: "一部のみ（上限値）：出典にない施設があるため、圏外の人口は実際より多く表示されている可能性があります",
      partialResults: "一部のみ：出典にない施設があるため、もっと近い施設があるかもしれません。",
      leftOut: (labels) => `${labels}はデータなしのため含みません`,
      outside: (town) => `${town}の区域外`, outsideShort: "区域外",
      addressMissing: "住所を入力してください。", whichTown: (address) => `「${address}」という町名は複数の市町にあります。どちらですか。`,
      addressUnknown: (address) => `「${address}」の場所が見つかりませんでした。町名から入力してください（例：白岡市新白岡4-14）。`,
      legend: "凡例", legendBoundary: "市町の境界", legendNeighbour: "周辺の市町（点線）", legendGap: "空白地域（到達距離内に施設なし）",
      legendExact: "施設（公表座標・丸）", legendApprox: "施設（位置は概略・ひし形）", legendOutside: "区域外の施設（薄く表示）", legendOrigin: "検索の起点",
      rankLabel: "近い順", facilities: "施設", closeDetails: "詳細を閉じる", zoomIn: "拡大", zoomOut: "縮小", mapLabel: "地図", popupOpened: (name) => `${name}の詳細を開きました。Escキーで閉じます。`,
      m: (metres) => (metres < 1000 ? `${Math.round(metres)} m` : `${(metres / 1000).toFixed(1)} km`),
      join: "・",
    },
    en: {
      kinds: "Kinds", filter: "Kinds on the map and in searches", close: "Close", all: "All kinds", nKinds: (n) => `${n} kinds`,
      gaps: "Coverage gaps", radius: "Reach",
      uncovered: (people, km) => `About ${people.toLocaleString("en-GB")} residents farther than ${km} km from any facility`,
      addressLabel: "Find facilities near an address", search: "Search", centreSearch: "Search from the map's centre",
      addressHint: "For example 白岡市新白岡4-14 or 新白岡４丁目. Distances are from the town block's representative point, not the door.",
      skipMap: "Skip the map to the list of facilities",
      help: "Click the map, or move it with the arrow keys and press “Search from the map's centre”, to list the nearest facilities by distance. Choose a facility's symbol for its details; Esc closes them.",
      results: "Nearest facilities", resultsEmpty: "Type an address or click the map.",
      fromAddress: (town, approx) => `From: ${town} (${approx ? "mean of its blocks' representative points" : "the block's representative point"})`,
      fromPoint: "From: the point you clicked", fromCentre: "From: the map's centre", point: "the point you clicked", centre: "the map's centre",
      found: (n, what, from) => `Showing the ${n} nearest ${what === "facilities" ? what : `(${what})`} to ${from}.`,
      none: "No facilities", list: "Facilities", listArea: (town) => `Facilities in ${town}`,
      name: "Name", kind: "Kind", homeCareClass: "Home-care support class (在宅療養支援)", filings: "Home-care filings (届出)", address: "Address", phone: "Phone", link: "Web site", detail: "Official page (介護サービス情報公表システム)", openDays: "Open on", position: "Position", source: "Source", contactSource: "Phone and web site from", dataSources: "Data sources", asOf: "As of",
      approximate: "approximate: the town's representative point", exact: "as published by the source", showOnMap: "Show on the map",
      loadFailed: "Could not load the data. Please reload the page later.", count: (n) => `${n} facilities`,
      noData: "no data", partialKind: "partial", atLeast: " or more, partial",
      noDataKinds: (labels) => `${labels}: no data. With no source we cannot say where they are or how far.`,
      noDataGaps: (labels) => `${labels}: no data. With no source, coverage gaps cannot be shown`,
      partialGaps: "partial (upper bound): some facilities are not in our sources, so fewer people may be out of reach",
      partialResults: "Partial: some facilities are not in our sources; a nearer one may exist.",
      leftOut: (labels) => `${labels}: no data, not included`,
      outside: (town) => `outside ${town}`, outsideShort: "outside the town",
      addressMissing: "Please type an address.", whichTown: (address) => `“${address}” names a town in more than one municipality. Which one?`,
      addressUnknown: (address) => `Could not place “${address}”. Start with the town, e.g. 白岡市新白岡4-14.`,
      legend: "Legend", legendBoundary: "Town boundary", legendNeighbour: "Neighbouring town (dashed)", legendGap: "Coverage gap (no facility within reach)",
      legendExact: "Facility (published position, circle)", legendApprox: "Facility (approximate position, diamond)", legendOutside: "Facility outside the town (faded)", legendOrigin: "Search origin",
      rankLabel: "nearest no.", facilities: "facilities", closeDetails: "Close the details", zoomIn: "Zoom in", zoomOut: "Zoom out", mapLabel: "Map", popupOpened: (name) => `Details of ${name} opened. Esc closes them.`,
      m: (metres) => (metres < 1000 ? `${Math.round(metres)} m` : `${(metres / 1000).toFixed(1)} km`),
      join: ", ",
    },
  }[lang];
  const palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#e7969c", "#fdd835"];

  const $ = (id) => document.getElementById(id);
  const el = (tag, props = {}, children = []) => {
    const node = Object.assign(document.createElement(tag), props);
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  };
  /** A failed request, with the problem (RFC 9457) the API answered when it did. */
  class ApiFailure extends Error {
    constructor(status, problem) { super(`${status}`); this.status = status; this.problem = problem; }
  }
  const api = async (path) => {
    const response = await window.careAtlas.fetch(path, { headers: { Accept: "application/json", "Accept-Language": lang } });
    if (!response.ok) throw new ApiFailure(response.status, await response.json().catch(() => null));
    return response.json();
  };
  const status = (message, tone) => {
    const node = $("status");
    node.textContent = message;
    if (tone) node.dataset.tone = tone; else delete node.dataset.tone;
  };

  // The page's words.
  $("kind-button-label").textContent = `${text.kinds}:`;
  $("kind-filter-label").textContent = text.filter;
  $("kind-close").textContent = text.close;
  $("gap-label").textContent = text.gaps;
  $("radius-label").textContent = text.radius;
  $("address-label").textContent = text.addressLabel;
  $("address-submit").textContent = text.search;
  $("centre-search").textContent = text.centreSearch;
  $("address-hint").textContent = text.addressHint;
  $("skip-map").textContent = text.skipMap;
  $("map-help").textContent = text.help;
  $("results-title").textContent = text.results;
  $("results-origin").textContent = text.resultsEmpty;
  $("attribution").innerHTML = config.data_attribution;

  const kinds = config.kinds;
  const kindOf = new Map(kinds.map((k, i) => [k.id, { ...k, colour: palette[i % palette.length] }]));
  const shown = new Set(config.kind.length ? config.kind : kinds.map((k) => k.id));
  const names = (ids) => ids.map((id) => kindOf.get(id).label).join(text.join);

  // Marker ink: black or white, whichever contrasts more with the kind's colour (WCAG luminance).
  const luminance = (hex) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const inkOf = (hex) => ((luminance(hex) + 0.05) / 0.05 > 1.05 / (luminance(hex) + 0.05) ? "#000" : "#fff");
  // Two Japanese characters need a larger marker than one character or two Latin letters.
  const isWide = (kindId) => lang === "ja" && [...kindOf.get(kindId).symbol].length > 1;
  const symbolNode = (kindId, approx, extraClass = "") => {
    const k = kindOf.get(kindId);
    // The symbol is drawn by CSS from data-symbol: the marker's accessible name says the kind in
    // words, and no stray character joins it.
    const wide = isWide(kindId);
    const node = el("span", { className: `fac ${approx ? "approx" : "exact"}${wide ? " wide" : ""} ${extraClass}`.trim() });
    node.dataset.symbol = k.symbol;
    node.style.setProperty("--fill", k.colour);
    node.style.setProperty("--ink", inkOf(k.colour));
    node.setAttribute("aria-hidden", "true");
    return node;
  };

  // The map. Wheel zoom waits for the map to be chosen, so that scrolling the city's page over the
  // frame scrolls the page.
  const map = L.map("map", { center: config.home, zoom: config.zoom ?? 11, zoomSnap: 0.25, zoomControl: false, scrollWheelZoom: false, keyboard: true });
  map.getContainer().setAttribute("aria-label", text.mapLabel);
  // Names (the towns', the search origin's) lie above the lines but under the markers: Leaflet's
  // tooltip pane is above them, where the origin's name hid the nearest station and its number.
  map.createPane("labels").style.zIndex = 550;
  L.control.zoom({ zoomInTitle: text.zoomIn, zoomOutTitle: text.zoomOut }).addTo(map);
  map.on("focus click", () => map.scrollWheelZoom.enable());
  map.on("blur mouseout", () => map.scrollWheelZoom.disable());
  if (config.tiles) L.tileLayer(config.tiles.url, { attribution: config.tiles.attribution, maxZoom: 18 }).addTo(map);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(`<a href="#attribution">${text.dataSources}</a>`);
  // The view, for tests and for anyone reading the page: where the map is centred and what it shows.
  const recordView = () => {
    const c = map.getCenter();
    const b = map.getBounds();
    map.getContainer().dataset.view = JSON.stringify({
      centre: { lat: c.lat, lon: c.lng }, zoom: map.getZoom(),
      bounds: { west: b.getWest(), south: b.getSouth(), east: b.getEast(), north: b.getNorth() },
    });
  };
  map.on("moveend zoomend resize", recordView);
  // The frame's size is the host's to change: keep the centre where it was when it does.
  new ResizeObserver(() => map.invalidateSize()).observe(map.getContainer());

  const boundaries = L.layerGroup().addTo(map);
  const gaps = L.layerGroup().addTo(map);
  const markers = L.layerGroup().addTo(map);
  const origin = L.layerGroup().addTo(map);
  let facilities = [];
  let areaFeatures = [];
  const markerOf = new Map();
  // The rank of each facility in the last nearest list, marked on its map symbol too.
  let ranks = new Map();
  let popupOpener = null;
  // Whether a zoom is under way and which popup is open, kept from Leaflet's events (its own
  // fields for them are private).
  let zooming = false;
  let openedPopup = null;
  let gapsShown = false;
  const inArea = (p) => !config.area || p.municipality_code === config.area;

  // The kind filter: collapsed to the chosen kinds, opened on demand.
  const kindButton = $("kind-button");
  const kindPanel = $("kind-panel");
  const openKinds = (open) => {
    kindPanel.hidden = !open;
    kindButton.setAttribute("aria-expanded", String(open));
    if (open) kindPanel.querySelector("input")?.focus(); else kindButton.focus();
  };
  kindButton.addEventListener("click", () => openKinds(kindPanel.hidden));
  $("kind-close").addEventListener("click", () => openKinds(false));
  document.addEventListener("click", (event) => {
    if (!kindPanel.hidden && !kindPanel.contains(event.target) && !kindButton.contains(event.target)) {
      kindPanel.hidden = true;
      kindButton.setAttribute("aria-expanded", "false");
    }
  });
  for (const k of kinds) {
    const box = el("input", { type: "checkbox", checked: shown.has(k.id), value: k.id, id: `kind-${k.id}` });
    box.addEventListener("change", () => {
      if (box.checked) shown.add(k.id); else shown.delete(k.id);
      draw();
      if (gapsShown) showGaps();
    });
    const label = el("label", { htmlFor: box.id }, [box, symbolNode(k.id, false), k.label]);
    // Unknown is never shown as zero: a kind with no source says so, and one known in part too.
    if (k.supply === "unknown") label.append(" ", el("span", { className: "no-data", textContent: `（${text.noData}）` }));
    if (k.supply === "partial") label.append(" ", el("span", { className: "partial", textContent: `（${text.partialKind}）` }));
    label.dataset.supply = k.supply;
    $("kind-filter").append(label);
  }
  const summariseKinds = () => {
    const ids = [...shown];
    let summary = ids.length === kinds.length || ids.length === 0 ? text.all : ids.length <= 2 ? names(ids) : text.nKinds(ids.length);
    if (ids.length && ids.every((id) => kindOf.get(id).supply === "unknown")) summary += `（${text.noData}）`;
    $("kind-summary").textContent = summary;
  };

  // The legend: what every line, fill and shape on the map means.
  const legendControl = L.control({ position: "bottomright" });
  legendControl.onAdd = () => {
    const box = el("details", { className: "map-legend" }, [el("summary", { textContent: text.legend }), el("ul", { id: "legend-list" })]);
    const size = map.getSize();
    box.open = size.x >= 560 && size.y >= 380;
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  };
  legendControl.addTo(map);
  function renderLegend() {
    const row = (key, label) => el("li", {}, [key, label]);
    const line = (kind) => el("span", { className: `key ${kind}`, ariaHidden: "true" });
    const items = [row(line("boundary"), text.legendBoundary), row(line("neighbour"), text.legendNeighbour)];
    if (gapsShown) items.push(row(line("gap"), text.legendGap));
    const sample = [...shown].find((id) => kindOf.get(id).supply !== "unknown") ?? kinds[0].id;
    items.push(row(symbolNode(sample, false), text.legendExact), row(symbolNode(sample, true), text.legendApprox));
    if (config.area) items.push(row(symbolNode(sample, false, "outside"), text.legendOutside));
    if (origin.getLayers().length) items.push(row(el("span", { className: "origin-pin", ariaHidden: "true" }), text.legendOrigin));
    for (const id of shown) {
      const k = kindOf.get(id);
      items.push(row(symbolNode(id, false), k.supply === "unknown" ? `${k.label}（${text.noData}）` : k.label));
    }
    $("legend-list").replaceChildren(...items);
  }

  const formatDays = (days) => days.split("|").filter(Boolean).join(text.join);
  const telHref = (phone) => `tel:${phone.replace(/[^\d+]/g, "")}`;
  // Only http(s) addresses become links; anything else a source wrote (「www.…」 without a scheme)
  // is shown as the text it is, never guessed into a link.
  const webAddress = (url) => (!url ? null : /^https?:\/\/[^\s/]/i.test(url) ? link(url, url) : el("span", { textContent: url }));
  const link = (href, label) => el("a", { href, textContent: label, target: "_blank", rel: "noopener" });

  function popup(feature) {
    const p = feature.properties;
    const rows = [[text.kind, p.kind_label]];
    // The register's class and filings are shown in Japanese, as the 厚生局 publishes them.
    if (p.home_care_class) rows.push([text.homeCareClass, p.home_care_class.label_ja]);
    if (p.filings && p.filings.length) {
      rows.push([text.filings, p.filings.map((f) => (f.label_ja ? `${f.symbol}（${f.label_ja}）` : f.symbol)).join("、")]);
    }
    rows.push([text.address, p.address]);
    if (!inArea(p) && config.area_name) rows.push(["", text.outside(config.area_name)]);
    const list = el("dl");
    for (const [term, value] of rows) list.append(el("dt", { textContent: term }), el("dd", { textContent: value }));
    if (p.phone) list.append(el("dt", { textContent: text.phone }), el("dd", {}, [el("a", { href: telHref(p.phone), textContent: p.phone })]));
    if (p.open_days) list.append(el("dt", { textContent: text.openDays }), el("dd", { textContent: formatDays(p.open_days) }));
    const web = webAddress(p.url);
    if (web) list.append(el("dt", { textContent: text.link }), el("dd", {}, [web]));
    if (p.detail_url) list.append(el("dt", { textContent: text.detail }), el("dd", {}, [link(p.detail_url, text.detail)]));
    list.append(el("dt", { textContent: text.position }), el("dd", { textContent: p.position_precision === "source" ? text.exact : text.approximate }));
    list.append(el("dt", { textContent: text.source }), el("dd", { textContent: `${p.source}（${text.asOf} ${p.as_of || "—"}）` }));
    if (p.contact_source) list.append(el("dt", { textContent: text.contactSource }), el("dd", { textContent: p.contact_source }));
    const heading = el("h2", { textContent: p.name, tabIndex: -1 });
    return el("div", { className: "popup" }, [heading, list]);
  }

  // Details taller than the map scroll inside it rather than being cut off at its edge. Set before
  // a popup opens: Leaflet pans to fit a popup once, as it opens.
  const popupMaxHeight = () => Math.max(160, map.getSize().y - 80);
  map.on("resize", () => markers.eachLayer((m) => { m.getPopup().options.maxHeight = popupMaxHeight(); }));

  function markerFor(feature) {
    const p = feature.properties;
    const [lon, lat] = feature.geometry.coordinates;
    const approx = p.position_precision !== "source";
    const outside = !inArea(p);
    const side = isWide(p.kind) ? 30 : 24;
    const icon = L.divIcon({ className: "fac-icon", html: "", iconSize: [side, side] });
    const marker = L.marker([lat, lon], { icon, keyboard: true, riseOnHover: true, opacity: 1 });
    marker.on("add", () => {
      const node = marker.getElement();
      const rank = ranks.get(feature.id);
      const symbol = symbolNode(p.kind, approx, `${outside ? "outside" : ""}${rank ? " chosen" : ""}`);
      node.replaceChildren(symbol);
      if (rank) node.dataset.rank = String(rank); else delete node.dataset.rank;
      node.dataset.id = feature.id;
      node.classList.add("care-atlas-marker");
      const notes = [rank ? `${text.rankLabel} ${rank}` : null, p.kind_label, approx ? text.approximate : null, outside && config.area_name ? text.outside(config.area_name) : null].filter(Boolean);
      node.setAttribute("aria-label", `${p.name}（${notes.join("、")}）`);
    });
    marker.bindPopup(() => popup(feature), { maxWidth: 280, maxHeight: popupMaxHeight(), autoPanPadding: [12, 12], className: "care-atlas-popup" });
    // Opened from the marker itself (a click, or Enter, which Leaflet handles apart from clicks):
    // focus comes back to the marker when the details close.
    marker.on("popupopen", () => { popupOpener ??= marker.getElement(); });
    return marker;
  }

  function entry(feature) {
    const p = feature.properties;
    const button = el("button", { type: "button" }, [p.name, " ", el("span", { className: "kind", textContent: `(${p.kind_label})` })]);
    if (p.position_precision !== "source") button.append(" ", el("span", { className: "approximate", textContent: `≈ ${text.approximate}` }));
    button.addEventListener("click", () => showOnMap(feature.id, button));
    const item = el("li", {}, [button]);
    item.dataset.id = feature.id;
    return item;
  }

  /** Centres the map on a facility and opens its details; focus goes to them and back on Esc. */
  function showOnMap(id, opener) {
    const marker = markerOf.get(id);
    if (!marker) return;
    // Leaflet ignores a new view while a zoom animation runs (a wheel or the zoom buttons): wait.
    if (zooming) {
      map.once("zoomend", () => showOnMap(id, opener));
      return;
    }
    popupOpener = opener;
    // The marker goes near the map's foot, so that its details, which open above it and are at most
    // the map's height, fit without waiting on an animated pan; set at once, not animated.
    const zoom = Math.max(map.getZoom(), 15);
    const size = map.getSize();
    const foot = map.project(marker.getLatLng(), zoom).subtract([0, Math.max(0, size.y / 2 - 40)]);
    map.setView(map.unproject(foot, zoom), zoom, { animate: false });
    marker.openPopup();
    // On a phone the map is above the list: bring it into view with the details.
    map.getContainer().scrollIntoView({ block: "center" });
  }

  map.on("zoomstart", () => { zooming = true; });
  map.on("zoomend", () => { zooming = false; });
  map.on("popupopen", (event) => {
    openedPopup = event.popup;
    const content = event.popup.getElement();
    // Leaflet names its close button in English.
    content?.querySelector(".leaflet-popup-close-button")?.setAttribute("aria-label", text.closeDetails);
    const heading = content?.querySelector(".popup h2");
    if (heading) {
      heading.focus({ preventScroll: true });
      status(text.popupOpened(heading.textContent));
    }
  });
  map.on("popupclose", (event) => {
    if (openedPopup === event.popup) openedPopup = null;
    const opener = popupOpener;
    popupOpener = null;
    if (opener && document.contains(opener)) opener.focus({ preventScroll: true });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if (!kindPanel.hidden) { openKinds(false); event.preventDefault(); return; }
    if (openedPopup && map.hasLayer(openedPopup)) { map.closePopup(); event.preventDefault(); }
  });

  function draw() {
    markers.clearLayers();
    markerOf.clear();
    const visible = facilities.filter((f) => shown.has(f.properties.kind));
    for (const f of visible) {
      const marker = markerFor(f);
      markers.addLayer(marker);
      markerOf.set(f.id, marker);
    }
    // The list names the chosen town's facilities; the map keeps the neighbours' too.
    const listed = visible.filter((f) => inArea(f.properties));
    const items = listed.map(entry);
    // A shown kind with no source has no facilities we know of, not none: never count it as 0.
    const unknown = [...shown].filter((id) => kindOf.get(id).supply === "unknown");
    const onlyUnknown = unknown.length > 0 && unknown.length === shown.size;
    if (unknown.length) items.push(el("li", { className: "no-data", textContent: text.leftOut(names(unknown)) }));
    else if (!items.length) items.push(el("li", { textContent: text.none }));
    $("facility-list").replaceChildren(...items);
    // A count of a partly known kind is a lower bound: say so beside it.
    const partial = [...shown].some((id) => kindOf.get(id).supply === "partial");
    const count = onlyUnknown ? text.noData : text.count(listed.length);
    const title = config.area_name ? text.listArea(config.area_name) : text.list;
    $("list-title").textContent = `${title} (${partial ? `${count}${text.atLeast}` : count})`;
    summariseKinds();
    renderLegend();
  }

  async function showGaps() {
    gaps.clearLayers();
    const summary = $("gap-summary");
    summary.textContent = "";
    summary.removeAttribute("title");
    delete summary.dataset.completeness;
    gapsShown = $("gap-toggle").checked;
    renderLegend();
    if (!gapsShown) return;
    const selected = shown.size ? [...shown] : kinds.map((k) => k.id);
    // A kind with no source is never drawn as a gap: all red would show unknown as none.
    const unknown = selected.filter((id) => kindOf.get(id).supply === "unknown");
    const known = selected.filter((id) => kindOf.get(id).supply !== "unknown");
    if (!known.length) {
      summary.textContent = text.noDataGaps(names(unknown));
      summary.dataset.completeness = "unknown";
      status(summary.textContent);
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
    status(parts[0]);
  }
  $("gap-toggle").addEventListener("change", () => showGaps().catch(() => status(text.loadFailed, "error")));
  $("gap-radius").addEventListener("change", () => showGaps().catch(() => status(text.loadFailed, "error")));

  function card(feature, index) {
    const p = feature.properties;
    const approx = p.position_precision !== "source";
    const meta = [el("span", { className: "distance", textContent: text.m(p.distance_m) }), ` ・ ${p.kind_label}`];
    if (!inArea(p) && config.area_name) meta.push(" ・ ", el("span", { className: "outside-area", textContent: text.outside(config.area_name) }));
    const contact = el("p", { className: "contact" });
    if (p.phone) contact.append(el("a", { className: "tel", href: telHref(p.phone), textContent: `☎ ${p.phone}`, ariaLabel: `${text.phone} ${p.phone}` }));
    if (p.url && /^https?:\/\/[^\s/]/i.test(p.url)) contact.append(link(p.url, text.link));
    else if (p.url) contact.append(el("span", { textContent: `${text.link}: ${p.url}` }));
    if (p.detail_url) contact.append(link(p.detail_url, text.detail));
    const show = el("button", { type: "button", textContent: text.showOnMap });
    show.addEventListener("click", () => showOnMap(feature.id, show));
    const item = el("li", {}, [
      el("h3", { textContent: `${index + 1}. ${p.name}` }),
      el("p", { className: "meta" }, meta),
      el("p", { textContent: p.address }),
      contact.childNodes.length ? contact : null,
      p.open_days ? el("p", { textContent: `${text.openDays}: ${formatDays(p.open_days)}` }) : null,
      approx ? el("p", { className: "approximate", textContent: `≈ ${text.approximate}` }) : null,
      el("p", { className: "card-actions" }, [show]),
    ]);
    item.dataset.id = feature.id;
    return item;
  }

  /** Lists the nearest facilities of the shown kinds to an origin (an address or a point). */
  async function findNearest(where, originKind) {
    // A new search answers the question an ambiguous address asked.
    $("address-choices").replaceChildren();
    const chosen = [...shown];
    const unknown = chosen.filter((id) => kindOf.get(id).supply === "unknown");
    const known = chosen.filter((id) => kindOf.get(id).supply !== "unknown");
    if (!known.length) {
      origin.clearLayers();
      $("results-origin").textContent = "";
      $("nearest-list").replaceChildren(el("li", { className: "no-data", textContent: text.noDataKinds(names(unknown)) }));
      ranks = new Map();
      draw();
      status(text.noDataKinds(names(unknown)));
      renderLegend();
      return;
    }
    const query = new URLSearchParams({ ...where, k: "5", lang });
    if (known.length < kinds.length) query.set("kind", known.join(","));
    const result = await api(`/nearest?${query}`);
    // The last answer stays until a new one comes: a refused address leaves it as it was.
    origin.clearLayers();
    const from = result.origin;
    const fromText = originKind === "address"
      ? text.fromAddress(from.described_as ?? "", from.precision === "town_mean_of_chome")
      : originKind === "centre" ? text.fromCentre : text.fromPoint;
    const short = originKind === "address" ? from.described_as ?? "" : originKind === "centre" ? text.centre : text.point;
    // The name goes on the side away from the nearest result, which often stands a few pixels off.
    const nearestNorth = result.features.length > 0 && result.features[0].geometry.coordinates[1] > from.lat;
    L.marker([from.lat, from.lon], { icon: L.divIcon({ className: "origin-icon", html: '<span class="origin-pin"></span>', iconSize: [18, 18] }), keyboard: false, interactive: false })
      .bindTooltip(short, { pane: "labels", permanent: true, direction: nearestNorth ? "bottom" : "top", offset: [0, nearestNorth ? 10 : -10], className: "origin-label" })
      .addTo(origin);
    $("results-origin").textContent = fromText;
    const items = result.features.map(card);
    if (!items.length) items.push(el("li", { textContent: text.none }));
    const notes = [];
    if (known.some((id) => kindOf.get(id).supply === "partial")) notes.push(text.partialResults);
    if (unknown.length) notes.push(text.leftOut(names(unknown)));
    for (const note of notes) items.push(el("li", { className: "note", textContent: note }));
    $("nearest-list").replaceChildren(...items);
    ranks = new Map(result.features.map((f, i) => [f.id, i + 1]));
    draw();
    const points = [[from.lat, from.lon], ...result.features.map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0]])];
    // Kept clear of the legend in the map's lower right corner: beside it when open, above it when
    // closed (on a phone a station fell under 「凡例」).
    const legendBox = document.querySelector(".map-legend");
    const clear = !legendBox ? [30, 30] : legendBox.open ? [legendBox.offsetWidth + 24, 30] : [30, legendBox.offsetHeight + 24];
    map.fitBounds(L.latLngBounds(points), { paddingTopLeft: [40, 40], paddingBottomRight: clear, maxZoom: 15, animate: false });
    renderLegend();
    const what = known.length === 1 ? kindOf.get(known[0]).label : text.facilities;
    status(text.found(result.features.length, what, short));
  }

  $("address-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("address");
    const address = input.value.trim();
    input.removeAttribute("aria-invalid");
    $("address-choices").replaceChildren();
    if (!address) {
      input.setAttribute("aria-invalid", "true");
      status(text.addressMissing, "error");
      input.focus();
      return;
    }
    try {
      await findNearest({ address }, "address");
    } catch (failure) {
      if (failure instanceof ApiFailure && failure.status === 400 && failure.problem?.parameter === "address") {
        input.setAttribute("aria-invalid", "true");
        // A town name of several municipalities (東1-2) is answered with its candidates: ask which.
        const candidates = failure.problem.candidates ?? [];
        if (!candidates.length) {
          status(text.addressUnknown(address), "error");
          input.focus();
          return;
        }
        status(text.whichTown(address), "error");
        window.careAtlas.offerAddressChoices($("address-choices"), candidates, input, "secondary");
      } else {
        status(text.loadFailed, "error");
      }
    }
  });
  $("centre-search").addEventListener("click", () => {
    const centre = map.getCenter();
    findNearest({ lat: centre.lat.toFixed(6), lon: centre.lng.toFixed(6) }, "centre").catch(() => status(text.loadFailed, "error"));
  });
  map.on("click", (event) => {
    const { lat, lng } = event.latlng;
    findNearest({ lat: lat.toFixed(6), lon: lng.toFixed(6) }, "point").catch(() => status(text.loadFailed, "error"));
  });

  function drawAreas(areas) {
    areaFeatures = areas.features;
    L.geoJSON(areas, {
      style: (f) => ({ color: f.properties.in_study_area ? "#1b1b1b" : "#595959", weight: f.properties.in_study_area ? 2 : 1, dashArray: f.properties.in_study_area ? null : "5 5", fill: false, className: "care-atlas-boundary" }),
      interactive: false,
    }).addTo(boundaries);
    // Town names inside the towns: the API's label point is inside the largest part of each.
    for (const f of areaFeatures) {
      const point = f.properties.label_point;
      const at = point ? [point[1], point[0]] : L.geoJSON(f).getBounds().getCenter();
      L.tooltip({ pane: "labels", permanent: true, direction: "center", className: `town-label${f.properties.in_study_area ? "" : " neighbour"}`, interactive: false })
        .setLatLng(at).setContent(f.properties.name).addTo(boundaries);
    }
  }

  // The first view is set at once, never animated from where the map was made: the page is ready
  // only when it shows what was asked.
  function initialView() {
    if (config.lat !== null && config.lon !== null) {
      map.setView([config.lat, config.lon], config.zoom ?? 14, { animate: false });
      return;
    }
    const wanted = areaFeatures.filter((f) => (config.area ? f.id === config.area : f.properties.in_study_area));
    if (wanted.length) {
      map.fitBounds(L.geoJSON({ type: "FeatureCollection", features: wanted }).getBounds(), { padding: [6, 6], animate: false });
      if (config.zoom) map.setZoom(config.zoom, { animate: false });
    }
  }

  // The framing page can size the frame to the page (README: "Embedding"), and learns its title.
  if (window.parent !== window) {
    const tell = () => window.parent.postMessage({ type: "care-atlas:size", height: Math.ceil(document.documentElement.scrollHeight), title: document.title }, "*");
    new ResizeObserver(tell).observe(document.body);
    tell();
  }

  async function load() {
    // Every facility is loaded, so that the filter can show the other kinds and, with `area`, the
    // facilities across the border stay on the map.
    const query = new URLSearchParams({ limit: "10000", lang });
    const [items, areas] = await Promise.all([api(`/collections/facilities/items?${query}`), api("/areas")]);
    facilities = items.features;
    drawAreas(areas);
    // The view is set for the map's size now, not the size it had when the page's layout began:
    // else a centre given by lat/lon lands half a map away.
    map.invalidateSize({ pan: false });
    initialView();
    recordView();
    draw();
    document.body.dataset.ready = "true";
  }
  summariseKinds();
  load().catch(() => {
    status(text.loadFailed, "error");
    document.body.dataset.ready = "error";
  });
})();
