// The planner's workbench (/planner) and its printable report (/planner/report): one script for
// both pages, since they ask the API the same questions and show the same tables. Every figure
// comes from the care-atlas API of the server that served the page; unknown figures are shown as
// データなし / no data and partial ones as lower or upper bounds, never as 0.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("care-atlas-config").textContent);
  const lang = config.lang;
  const isReport = config.page === "report";
  const locale = lang === "ja" ? "ja-JP" : "en-GB";
  const text = {
    ja: {
      controls: "条件", area: "対象地域", wholeArea: "全域（3市町）", kind: "施設の種別", radius: "到達距離（直線）",
      population: "対象人口", resolution: "表示方法", polygon: "区域（面）", mesh500: "500 m メッシュ", mesh250: "250 m メッシュ", mesh1000: "1 km メッシュ",
      noData: "データなし", partial: "一部のみ（下限）", partialUpper: "一部のみ（上限）",
      report: "印刷用レポート", otherLang: "English",
      map: "地図", mapHelp: "地図上の赤い区域は、到達距離以内に施設がない（到達圏外）場所です。丸印は施設、点線の丸印は位置が概略の施設です。施設をクリックすると詳細と「この施設を除く」が表示されます。",
      addMode: "施設を追加", addModeOn: "施設を追加（地図をクリック）", address: "住所で追加", addressGo: "追加", reset: "仮定をすべて取り消す",
      whatifHelp: "「施設を追加」を押して地図をクリックするか、住所を入力すると、仮の施設を置いて圏外人口の変化を試せます。仮の施設はドラッグで動かせます。",
      figures: "到達圏外の人口", whatif: "もし施設を増やしたら（仮定の比較）", suggestions: "候補地の提案（上位3か所）",
      places: "到達圏外の人が多い地区（大字・町丁目）", placesHelp: "行を選ぶと地図がその地区へ移動します。",
      comparison: "3市町の比較", exports: "データのダウンロード", method: "分析の方法", sources: "データの出典と時点",
      outOf: (n, total) => `${n} 人（対象 ${total} 人のうち）`, share: "割合",
      people: (n) => `${n} 人`, town: "市町", group: "人口区分", uncovered: "圏外人口", totalPop: "人口", shareCol: "割合",
      allAges: "総人口", aged75: "75歳以上", chosen: "選んだ区分",
      rank: "順位", placeName: "地区名", municipality: "市町", areaKm2: "圏外面積 (km²)",
      measure: "項目", count: "施設数", per10k: "人口1万人あたり", per1k75: "75歳以上千人あたり", perKm2: "1 km²あたり", lowerBound: "下限", upperBound: "上限",
      noneYet: "まだ仮の施設はありません。", added: (i) => `追加した施設 ${i}`, removed: (name) => `除いた施設：${name}`,
      remove: "この施設を除く", restore: "除外を取り消す", removeAdded: "取り消す", tryIt: "この候補地を追加して試す",
      before: "現状", after: "仮定後", difference: "差",
      sentence: (g, b, a, d) => `${g}の圏外人口は ${b} 人 → ${a} 人（${d} 人）。`,
      accessSentence: (kind, b, a) => `住民1万人あたりの利用可能な${kind}は ${b} → ${a} か所分。`,
      e2sfca: "「利用可能な施設数」とは",
      wholeNote: "（3市町全体）",
      e2sfcaText: "住民1万人あたりの利用可能な施設数（E2SFCA 法）：各施設の受け入れ能力を、到達距離内に住む人数で分け合ったものを、住民から見て距離が近いほど重く数えて合計した値です。施設が増えるか、近くなるほど大きくなります。",
      newlyCovered: (n) => `新たに到達圏内になる人：約 ${n} 人`, brings: "到達圏内になる人", notAvailable: "この項目はこのサーバーでは利用できません",
      gaps: "圏外（空白地域）", places2: "地区一覧", compare: "比較表", siteFile: "候補地", facilities: "施設一覧",
      legendTitle: "凡例", legendGap: "到達圏外（距離内に施設なし）", legendMesh: "圏外の人数（濃いほど多い）", legendFacility: "施設（公表座標）", legendApprox: "施設（位置は概略）",
      legendBoundary: "市町の境界", legendNeighbour: "周辺の市町（点線）", legendAdded: "仮に追加した施設", legendCovered: "新たに到達圏内（斜線）", legendRemoved: "除いた施設",
      noSource: (kind) => `${kind}はデータなし：出典がないため、圏外の人口や施設数は示せません（0 ではありません）。`,
      loadFailed: "データを読み込めませんでした", loading: "計算中…",
      print: "印刷 / PDFで保存", back: "計画支援ツールに戻る", conditions: "条件", reportDate: (d) => `作成日：${d}`,
      whatifAdded: (n) => `仮定：施設を ${n} か所追加`, whatifRemoved: (n) => `仮定：施設を ${n} か所除外`,
      sourceTitle: "データ", publisher: "提供", asOf: "時点", attribution: "出典表記",
      definition: "到達圏外の定義", model: "人口の推計", straight: "距離について", completeness: "データの網羅性",
      straightText: (km) => `到達距離は施設からの直線距離（${km} km）です。道路での移動時間ではありません。川や線路で実際には遠い場所もあります。`,
      completenessText: "「一部のみ」の種別は出典にない施設があるため、施設数は下限、圏外人口は上限です。「データなし」の種別は出典がないため数値を示しません（0 ではありません）。",
      modelShort: "2020年国勢調査 500 m メッシュ統計",
      modelText: "人口は2020年国勢調査の地域メッシュ統計（500 m 四方、年齢別・高齢単身世帯）を用い、各メッシュの中では住民が面積に応じて均等に住んでいるとみなして、250 m メッシュや区域に配分しています。",
      partialNote: "近隣の市町の施設は出典に一部しか含まれないため、圏外の人口は実際より多く表示されている可能性があります（上限値）。",
      address_failed: "住所が見つかりませんでした", whichTown: (address) => `「${address}」という町名は複数の市町にあります。どちらに追加しますか。`, approx: "位置は町丁目の代表点（概略）", exact: "位置は公表座標",
    },
    en: {
      controls: "Conditions", area: "Area", wholeArea: "Whole study area", kind: "Kind of facility", radius: "Reach (straight line)",
      population: "Residents counted", resolution: "Display", polygon: "Areas (polygons)", mesh500: "500 m mesh", mesh250: "250 m mesh", mesh1000: "1 km mesh",
      noData: "no data", partial: "partial (lower bound)", partialUpper: "partial (upper bound)",
      report: "Printable report", otherLang: "日本語",
      map: "Map", mapHelp: "Red areas are out of reach: no facility within the reach. Circles are facilities, dashed circles facilities whose position is approximate. Click a facility for its details and “Leave this facility out”.",
      addMode: "Add a facility", addModeOn: "Add a facility (click the map)", address: "Add at an address", addressGo: "Add", reset: "Clear all what-ifs",
      whatifHelp: "Press “Add a facility” and click the map, or type an address, to try a hypothetical facility and see how many people it brings within reach. Drag it to move it.",
      figures: "People out of reach", whatif: "What if (before and after)", suggestions: "Suggested sites (top 3)",
      places: "Places with the most people out of reach (大字・町丁目)", placesHelp: "Choose a row to move the map there.",
      comparison: "The three towns compared", exports: "Download the data", method: "Method", sources: "Data sources and dates",
      outOf: (n, total) => `${n} of ${total}`, share: "share",
      people: (n) => `${n}`, town: "Town", group: "Residents", uncovered: "Out of reach", totalPop: "Residents", shareCol: "Share",
      allAges: "All residents", aged75: "Aged 75+", chosen: "Chosen group",
      rank: "Rank", placeName: "Place", municipality: "Town", areaKm2: "Area out of reach (km²)",
      measure: "Measure", count: "Facilities", per10k: "Per 10,000 residents", per1k75: "Per 1,000 aged 75+", perKm2: "Per km²", lowerBound: "lower bound", upperBound: "upper bound",
      noneYet: "No hypothetical facility yet.", added: (i) => `Added facility ${i}`, removed: (name) => `Left out: ${name}`,
      remove: "Leave this facility out", restore: "Put it back", removeAdded: "Undo", tryIt: "Try this site",
      before: "Now", after: "With the change", difference: "Difference",
      sentence: (g, b, a, d) => `${g} out of reach: ${b} → ${a} (${d}).`,
      accessSentence: (kind, b, a) => `${kind}s available per 10,000 residents: ${b} → ${a}.`,
      e2sfca: "What “available per 10,000 residents” means",
      wholeNote: " (the three towns together)",
      e2sfcaText: "Facilities available per 10,000 residents (E2SFCA): each facility's capacity is shared among the residents within its reach, and each resident adds up the shares of the facilities they can reach, nearer ones counting more.",
      newlyCovered: (n) => `People brought within reach: about ${n}`, brings: "Brought within reach", notAvailable: "Not offered by this server",
      gaps: "Out of reach (gaps)", places2: "Places", compare: "Comparison", siteFile: "Suggested sites", facilities: "Facilities",
      legendTitle: "Legend", legendGap: "Out of reach (no facility within reach)", legendMesh: "People out of reach (darker: more)", legendFacility: "Facility (published position)", legendApprox: "Facility (approximate position)",
      legendBoundary: "Town boundary", legendNeighbour: "Neighbouring town (dashed)", legendAdded: "Hypothetical facility", legendCovered: "Newly within reach (hatched)", legendRemoved: "Left-out facility",
      noSource: (kind) => `${kind}: no data. Without a source no count or gap can be given (it is not 0).`,
      loadFailed: "Could not load the data", loading: "Calculating…",
      print: "Print / save as PDF", back: "Back to the planner", conditions: "Conditions", reportDate: (d) => `Made on ${d}`,
      whatifAdded: (n) => `What-if: ${n} facilities added`, whatifRemoved: (n) => `What-if: ${n} facilities left out`,
      sourceTitle: "Data", publisher: "Publisher", asOf: "As of", attribution: "Attribution",
      definition: "Out of reach", model: "Population model", straight: "Distances", completeness: "How complete the data is",
      straightText: (km) => `The reach is the straight-line distance from a facility (${km} km), not travel time by road; rivers and railways can make a place farther in practice.`,
      completenessText: "For a kind known only in part, counts are lower bounds and people out of reach upper bounds. A kind with no source has no figure (it is not 0).",
      modelShort: "2020 census 500 m mesh",
      modelText: "Residents come from the 2020 census 500 m mesh statistics (by age group and elderly living alone), spread evenly by area within each cell and shared out to 250 m cells and areas.",
      partialNote: "Only some facilities of the neighbouring towns are in our sources, so more people may be shown out of reach than really are (upper bound).",
      address_failed: "Address not found", whichTown: (address) => `“${address}” names a town in more than one municipality. Add it in which one?`, approx: "approximate: the town's representative point", exact: "as published by the source",
    },
  }[lang];

  const $ = (id) => document.getElementById(id);
  const el = (tag, props = {}, children = []) => {
    const node = Object.assign(document.createElement(tag), props);
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  };
  const number = (n, digits = 0) => (n === null || n === undefined ? null : Number(n).toLocaleString(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits }));
  const persons = (n) => number(Math.round(n));
  const signed = (n) => { const r = Math.round(n); return r > 0 ? `+${number(r)}` : r < 0 ? `−${number(-r)}` : "±0"; };
  const setText = (id, value) => { const node = $(id); if (node) node.textContent = value; };

  class ApiProblem extends Error {
    constructor(status, problem) { super(problem?.detail || String(status)); this.status = status; this.problem = problem; }
  }
  async function api(path, init) {
    const response = await window.careAtlas.fetch(path, { headers: { Accept: "application/json", "Accept-Language": lang, ...(init?.body ? { "Content-Type": "application/json" } : {}) }, ...init });
    if (!response.ok) {
      let problem = null;
      try { problem = await response.json(); } catch { /* not a problem document */ }
      throw new ApiProblem(response.status, problem);
    }
    return response.json();
  }
  // A query an older server does not know yet (an unknown parameter or path) answers null, so the
  // page shows "not offered" rather than breaking.
  const optional = (promise) => promise.catch((e) => { if (e instanceof ApiProblem && (e.status === 404 || e.status === 400)) return null; throw e; });

  const kinds = config.kinds;
  const kindLabel = new Map(kinds.map((k) => [k.id, k.label]));
  const supplyOf = new Map(kinds.map((k) => [k.id, k.supply]));
  const groupLabel = new Map(config.groups.map((g) => [g.id, g.label]));
  const townName = new Map(config.towns.map((t) => [t.code, t.name]));
  const state = {
    area: config.area, kind: config.kind, radius_m: config.radius_m, population: config.population, resolution: config.resolution,
    added: config.add.map(([lat, lon], i) => ({ key: i + 1, lat, lon })), removed: new Map(config.remove.map((id) => [id, id])),
  };
  let nextKey = state.added.length + 1;
  const towns = () => (state.area ? config.towns.filter((t) => t.code === state.area) : config.towns);

  function query(extra = {}) {
    const q = new URLSearchParams({ kind: state.kind, radius_m: String(state.radius_m), population: state.population });
    for (const [name, value] of Object.entries(extra)) if (value !== null && value !== undefined) q.set(name, value);
    return q;
  }
  const areasQuery = () => new URLSearchParams({ radius_m: String(state.radius_m), population: state.population });
  function pageQuery() {
    const q = new URLSearchParams({ lang });
    if (state.area) q.set("area", state.area);
    q.set("kind", state.kind);
    q.set("radius_m", String(state.radius_m));
    q.set("population", state.population);
    q.set("resolution", state.resolution);
    if (state.added.length) q.set("add", state.added.map((a) => `${a.lat.toFixed(6)},${a.lon.toFixed(6)}`).join(";"));
    if (state.removed.size) q.set("remove", [...state.removed.keys()].join(","));
    return q;
  }

  // --- the map -----------------------------------------------------------------------------
  // The report credits each source in its table of sources; the page in its footer.
  if ($("attribution")) $("attribution").innerHTML = config.data_attribution;
  const map = L.map("map", { center: [config.lat, config.lon], zoom: 12, keyboard: true, zoomSnap: 0.25, zoomControl: !isReport, attributionControl: true });
  if (config.tiles) L.tileLayer(config.tiles.url, { attribution: config.tiles.attribution, maxZoom: 18 }).addTo(map);
  const boundaries = L.layerGroup().addTo(map);
  const gapLayer = L.layerGroup().addTo(map);
  const changedLayer = L.layerGroup().addTo(map);
  const facilityLayer = L.layerGroup().addTo(map);
  const whatifLayer = L.layerGroup().addTo(map);
  const placeLayer = L.layerGroup().addTo(map);
  let boundaryGeo = null;

  function legend() {
    const items = [
      ["gap", text.legendGap], ["mesh", text.legendMesh], ["facility", text.legendFacility], ["approx", text.legendApprox],
      ["boundary", text.legendBoundary], ["neighbour", text.legendNeighbour], ["added", text.legendAdded], ["covered", text.legendCovered],
    ];
    const list = el("ul", { className: "legend-list" });
    for (const [key, label] of items) {
      if (key === "mesh" && state.resolution === "polygon") continue;
      if (key === "gap" && state.resolution !== "polygon") continue;
      if (isReport && (key === "added" || key === "covered") && !state.added.length) continue;
      list.append(el("li", {}, [el("span", { className: `key key-${key}` }), label]));
    }
    return list;
  }
  let legendControl = null;
  function drawLegend() {
    if (isReport) { $("report-legend").replaceChildren(legend()); return; }
    if (legendControl) legendControl.remove();
    legendControl = L.control({ position: "bottomright" });
    // On a phone-sized map the legend starts folded, so that it does not cover half the map.
    legendControl.onAdd = () => {
      const size = map.getSize();
      const box = el("details", { className: "map-legend", open: size.x >= 560 && size.y >= 380 }, [el("summary", { textContent: text.legendTitle }), legend()]);
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    legendControl.addTo(map);
  }

  function drawBoundaries(areas) {
    boundaries.clearLayers();
    boundaryGeo = L.geoJSON(areas, {
      style: (f) => {
        const chosen = f.properties.in_study_area && (!state.area || f.properties.code === state.area);
        return { color: f.properties.in_study_area ? "#1b1b1b" : "#6b6b6b", weight: chosen ? 2.5 : f.properties.in_study_area ? 1.5 : 1, dashArray: f.properties.in_study_area ? null : "5 5", fill: false, className: "care-atlas-boundary" };
      },
      interactive: false,
    }).addTo(boundaries);
    for (const layer of boundaryGeo.getLayers()) {
      const p = layer.feature.properties;
      if (!p.in_study_area) continue;
      // The API's label point lies inside the town's largest part; a bounding box's centre may not.
      const at = p.label_point ? [p.label_point[1], p.label_point[0]] : layer.getBounds().getCenter();
      L.tooltip({ permanent: true, direction: "center", className: "town-label", interactive: false })
        .setLatLng(at).setContent(p.name).addTo(boundaries);
    }
  }
  function fitArea() {
    if (!boundaryGeo) return;
    const layers = boundaryGeo.getLayers().filter((l) => l.feature.properties.in_study_area && (!state.area || l.feature.properties.code === state.area));
    if (!layers.length) return;
    const bounds = L.featureGroup(layers).getBounds();
    // Fitted for the map's size now, at once: a stale size or an animation left it off the town.
    map.invalidateSize({ pan: false });
    map.fitBounds(bounds, { padding: [12, 12], animate: false });
  }

  // Mesh cells are shaded by the people out of reach in them; polygons are one fill.
  const shades = ["#fde0dd", "#fa9fb5", "#f768a1", "#c51b8a", "#7a0177"];
  function shade(people, max) {
    if (!max) return shades[0];
    const i = Math.min(shades.length - 1, Math.floor((people / max) * shades.length));
    return shades[i];
  }
  function drawGaps(gaps) {
    gapLayer.clearLayers();
    if (!gaps) return;
    if (state.resolution === "polygon") {
      L.geoJSON(gaps, { style: { color: "#b00020", weight: 1, fillColor: "#e4002b", fillOpacity: 0.3, className: "care-atlas-gap" }, interactive: false }).addTo(gapLayer);
      return;
    }
    const uncovered = (p) => (p.population_uncovered ?? (p.covered === false ? p.population : 0)) || 0;
    const cells = gaps.features.filter((f) => f.properties.covered === false || uncovered(f.properties) > 0);
    const max = Math.max(0, ...cells.map((f) => uncovered(f.properties)));
    L.geoJSON({ type: "FeatureCollection", features: cells }, {
      style: (f) => ({ color: "#7a0177", weight: 0.5, fillColor: shade(uncovered(f.properties), max), fillOpacity: 0.6, className: "care-atlas-gap care-atlas-gap-cell" }),
      interactive: false,
    }).addTo(gapLayer);
  }

  let facilities = [];
  function drawFacilities() {
    facilityLayer.clearLayers();
    for (const f of facilities) {
      const [lon, lat] = f.geometry.coordinates;
      const p = f.properties;
      const removed = state.removed.has(f.id);
      const approx = p.position_precision !== "source";
      const marker = L.circleMarker([lat, lon], {
        radius: 7, color: removed ? "#6b6b6b" : "#0b3d91", weight: 2, dashArray: approx ? "3 3" : null,
        fillColor: removed ? "#ffffff" : approx ? "#ffffff" : "#1565c0", fillOpacity: 0.95,
        className: `care-atlas-marker${removed ? " removed" : ""}`, bubblingMouseEvents: false, interactive: !isReport,
      });
      if (!isReport) {
        marker.bindPopup(() => {
          const button = el("button", { type: "button", className: "button", textContent: removed ? text.restore : text.remove });
          button.addEventListener("click", () => {
            if (state.removed.has(f.id)) state.removed.delete(f.id); else state.removed.set(f.id, p.name);
            map.closePopup();
            drawFacilities();
            renderWhatifList();
            whatifChanged();
          });
          return el("div", { className: "popup" }, [el("strong", { textContent: p.name }), el("div", { textContent: p.address }),
            el("div", { className: "help", textContent: approx ? text.approx : text.exact }), button]);
        });
      }
      marker.on("add", () => marker.getElement()?.setAttribute("data-id", f.id));
      facilityLayer.addLayer(marker);
    }
  }

  function drawAdded() {
    whatifLayer.clearLayers();
    for (const a of state.added) {
      const icon = L.divIcon({ className: "added-icon", html: `<span>${a.key}</span>`, iconSize: [28, 28] });
      const marker = L.marker([a.lat, a.lon], { icon, draggable: !isReport, keyboard: !isReport, title: text.added(a.key), interactive: !isReport });
      if (!isReport) {
        marker.on("dragend", () => { const ll = marker.getLatLng(); a.lat = ll.lat; a.lon = ll.lng; renderWhatifList(); whatifChanged(); });
        marker.bindPopup(() => {
          const button = el("button", { type: "button", className: "button", textContent: text.removeAdded });
          button.addEventListener("click", () => { removeAdded(a.key); map.closePopup(); });
          return el("div", { className: "popup" }, [el("strong", { textContent: text.added(a.key) }), button]);
        });
      }
      whatifLayer.addLayer(marker);
    }
  }

  // --- tables ------------------------------------------------------------------------------
  function table(node, headers, rows) {
    const head = el("thead", {}, [el("tr", {}, headers.map((h) => el("th", { scope: "col", textContent: h })))]);
    const body = el("tbody", {}, rows);
    node.replaceChildren(head, body);
  }
  const cell = (value, className) => el("td", { textContent: value ?? text.noData, className: value === null || value === undefined ? "no-data" : className || "num" });

  // The figures by group of each town: one /coverage-gaps summary per group, the same figure
  // every screen and file shows for that group. Every resolution answers the same summary (out of
  // reach is counted on 250 m cells); the 1 km mesh is the quickest to send.
  async function groupSummaries() {
    const groups = config.groups.map((g) => g.id);
    const answers = await Promise.all(groups.map((g) => api(`/coverage-gaps?${new URLSearchParams({ kind: state.kind, radius_m: String(state.radius_m), population: g, resolution: "mesh1000" })}`)));
    const byTown = new Map();
    groups.forEach((g, i) => {
      for (const s of answers[i].summary) {
        if (!byTown.has(s.municipality_code)) byTown.set(s.municipality_code, {});
        byTown.get(s.municipality_code)[g] = s;
      }
    });
    return { byTown, answer: answers[groups.indexOf(state.population)] ?? answers[0] };
  }

  function renderFigures(summaries, chosenSummary) {
    const container = $("figures");
    const partial = chosenSummary?.completeness === "partial";
    const blocks = [];
    for (const t of towns()) {
      const figures = summaries.get(t.code) || {};
      const rows = [];
      const shown = [...new Set([state.population, "total", "aged_75_plus"])].filter((g) => groupLabel.has(g));
      for (const g of shown) {
        const s = figures[g];
        const value = s ? Math.round(s.population_uncovered) : null;
        const row = el("tr", {}, [
          el("th", { scope: "row", textContent: groupLabel.get(g) + (g === state.population ? ` ★` : "") }),
          (() => { const c = cell(s ? persons(s.population_uncovered) : null); c.dataset.group = g; if (value !== null) c.dataset.value = String(value); return c; })(),
          cell(s ? persons(s.population_total) : null),
          cell(s && s.population_total ? `${number((100 * s.population_uncovered) / s.population_total, 1)}%` : null),
        ]);
        rows.push(row);
      }
      const tableNode = el("table", { className: "figures" });
      table(tableNode, [text.group, text.uncovered, text.totalPop, text.shareCol], rows);
      const chosen = figures[state.population];
      const headline = el("p", { className: "headline" }, [
        el("span", { className: "big", textContent: chosen ? persons(chosen.population_uncovered) : text.noData }),
        chosen ? ` ${lang === "ja" ? "人" : "people"}` : "",
        el("span", { className: "help", textContent: ` ${groupLabel.get(state.population)}${partial ? `・${text.partialUpper}` : ""}` }),
      ]);
      headline.dataset.town = t.code;
      if (chosen) headline.dataset.value = String(Math.round(chosen.population_uncovered));
      blocks.push(el("div", { className: "town-figures" }, [el("h3", { textContent: t.name }), headline, tableNode]));
      blocks[blocks.length - 1].dataset.town = t.code;
    }
    container.replaceChildren(...blocks);
  }

  function renderPlaces(answer) {
    const node = $("places");
    if (!answer) {
      table(node, [text.placeName], [el("tr", {}, [el("td", { className: "no-data", textContent: text.notAvailable })])]);
      return;
    }
    const groups = config.groups.map((g) => g.id);
    // Each place's people out of reach by group (the asked group's alone where the server gives no split).
    const byGroup = (p) => p.population_uncovered_by_group ?? (typeof p.population_uncovered === "object" ? p.population_uncovered ?? {} : { [state.population]: p.population_uncovered });
    const rows = answer.places.slice(0, isReport ? 10 : 30).map((p) => {
      const row = el("tr", { tabIndex: isReport ? -1 : 0 }, [
        cell(String(p.rank)), el("td", { textContent: p.name, className: "name" }), el("td", { textContent: p.municipality_name }),
        ...groups.map((g) => { const v = byGroup(p)[g]; return cell(v === null || v === undefined ? null : persons(v)); }),
        cell(p.area_uncovered_km2 === null || p.area_uncovered_km2 === undefined ? null : number(p.area_uncovered_km2, 2)),
      ]);
      row.dataset.lat = p.center.lat;
      row.dataset.lon = p.center.lon;
      if (!isReport) {
        const go = () => {
          placeLayer.clearLayers();
          L.circleMarker([p.center.lat, p.center.lon], { radius: 14, color: "#e65100", weight: 3, fill: false, interactive: false }).addTo(placeLayer);
          delete map.getContainer().dataset.flownTo;
          map.once("moveend", () => { map.getContainer().dataset.flownTo = String(p.rank); });
          map.flyTo([p.center.lat, p.center.lon], 15, { duration: 0.6 });
        };
        row.addEventListener("click", go);
        row.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); go(); } });
      }
      return row;
    });
    const shortLabel = (g) => ({ total: text.allAges, aged_75_plus: text.aged75 }[g] ?? groupLabel.get(g));
    table(node, [text.rank, text.placeName, text.municipality, ...groups.map((g) => shortLabel(g)), text.areaKm2],
      rows.length ? rows : [el("tr", {}, [el("td", { colSpan: 4 + groups.length, textContent: "—" })])]);
  }

  function renderSuggestions(answer) {
    const node = $("suggestions");
    if (!answer) {
      node.replaceChildren(el(isReport ? "tr" : "li", {}, [el(isReport ? "td" : "span", { className: "no-data", textContent: text.notAvailable })]));
      return;
    }
    const items = answer.features.map((f) => {
      const p = f.properties;
      const [lon, lat] = f.geometry.coordinates;
      const name = [p.municipality_name, p.place_name].filter(Boolean).join(" ") || p.mesh_code;
      const brought = persons(p.newly_covered_population);
      if (isReport) return el("tr", {}, [cell(String(p.rank)), el("td", { textContent: name }), cell(brought)]);
      const button = el("button", { type: "button", className: "button small", textContent: text.tryIt });
      button.addEventListener("click", () => addFacility(lat, lon));
      return el("li", {}, [el("strong", { textContent: name }), el("div", { textContent: `${text.brings}（${groupLabel.get(state.population)}）：${brought} ${lang === "ja" ? "人" : ""}` }), button]);
    });
    if (isReport) table(node, [text.rank, text.placeName, `${text.brings}（${groupLabel.get(state.population)}）`], items);
    else node.replaceChildren(...items);
  }

  function renderComparison(areas, summaries) {
    const groups = config.groups.map((g) => g.id);
    const supply = supplyOf.get(state.kind);
    const shortLabel = (g) => ({ total: text.allAges, aged_75_plus: text.aged75 }[g] ?? groupLabel.get(g));
    // Each measure, and its figure for a town (null when unknown).
    const measures = [
      [text.count, (s) => s?.count, 0], [text.per10k, (s) => s?.per_10k_residents, 2],
      [text.per1k75, (s) => s?.per_1k_aged_75_plus, 2], [text.perKm2, (s) => s?.per_km2, 2],
    ].map(([label, of, digits]) => [label, (t, s) => {
      const known = s && s.coverage !== "no_source" && s.count !== null;
      const v = of(s);
      return known && v !== null && v !== undefined ? `${number(v, digits)}${s.lower_bound ? `（${text.lowerBound}）` : ""}` : null;
    }]);
    for (const g of groups) {
      measures.push([`${text.uncovered}${lang === "ja" ? "：" : ": "}${shortLabel(g)}`, (t, s) => {
        if (supply === "unknown") return null;
        const reach = s?.out_of_reach;
        const v = reach ? reach.population_uncovered?.[g] : summaries?.get(t.code)?.[g]?.population_uncovered;
        if (v === null || v === undefined) return null;
        // Out of reach of the facilities we know: an upper bound when some are not in our sources.
        return `${persons(v)}${reach?.upper_bound ? `（${text.upperBound}）` : ""}`;
      }]);
    }
    const townStatistics = config.towns.map((t) => [t, areas.features.find((f) => f.properties.code === t.code)?.properties.statistics?.[state.kind]]);
    if (isReport) {
      // On A4 portrait a town is a column: ten measures side by side were wider than the sheet,
      // and the browser shrank every printed page to fit them.
      const rows = measures.map(([label, figure]) => el("tr", {}, [el("th", { scope: "row", textContent: label }), ...townStatistics.map(([t, s]) => cell(figure(t, s)))]));
      table($("comparison"), [text.measure, ...townStatistics.map(([t]) => t.name)], rows);
      return;
    }
    const rows = townStatistics.map(([t, s]) => {
      const row = el("tr", {}, [el("th", { scope: "row", textContent: t.name }), ...measures.map(([, figure]) => cell(figure(t, s)))]);
      row.dataset.town = t.code;
      return row;
    });
    table($("comparison"), [text.town, ...measures.map(([label]) => label)], rows);
  }

  function renderMethod(definition, gapsAnswer) {
    const km = state.radius_m / 1000;
    const definitionText = definition?.[lang] ?? definition?.ja ?? (typeof definition === "string" ? definition : null) ??
      (lang === "ja" ? `250 m メッシュの中心から ${km} km 以内（直線距離）に施設がひとつもない場合、そのメッシュの住民を「到達圏外」と数えます。` : `Residents of a 250 m cell whose centre is farther than ${km} km (straight line) from every facility are counted out of reach.`);
    const items = [
      [text.definition, definitionText],
      [text.model, `${text.modelText}${gapsAnswer?.population_model ? `（${gapsAnswer.population_model}）` : ""}`],
      [text.straight, text.straightText(km)],
      [text.completeness, text.completenessText],
    ];
    const list = el("dl", { className: "method" });
    for (const [term, value] of items) list.append(el("dt", { textContent: term }), el("dd", { textContent: value }));
    // The report keeps to plain words; the page adds the API's own notes, which name each missing source.
    if (gapsAnswer?.completeness_note) list.append(el("dt", { textContent: text.partialUpper }), el("dd", { textContent: isReport ? text.partialNote : `${text.partialNote} ${gapsAnswer.completeness_note}` }));
    if (gapsAnswer?.population_method && !isReport) list.append(el("dt", { textContent: `${text.model}（${lang === "ja" ? "詳細・英語" : "details"}）` }), el("dd", { className: "help", textContent: gapsAnswer.population_method }));
    $("method").replaceChildren(list);
  }

  function renderExports() {
    const node = $("exports");
    if (!node) return;
    const area = state.area;
    const rows = [
      [text.gaps, `/coverage-gaps?${query({ area, resolution: state.resolution })}`, true],
      [text.places2, `/underserved-places?${query({ area })}`, true],
      [text.compare, `/areas?${areasQuery()}`, false],
      [text.siteFile, `/site-suggestions?${query({ n: "3", area })}`, true],
      [text.facilities, `/collections/facilities/items?${new URLSearchParams({ kind: state.kind, limit: "10000", ...(area ? { municipality: area } : {}) })}`, true],
    ];
    node.replaceChildren(...rows.map(([label, url, geojson]) => {
      const link = (format, name) => el("a", { href: format ? `${url}&f=${format}` : url, textContent: name, className: `export export-${format || "geojson"}`, download: "" });
      return el("tr", {}, [el("th", { scope: "row", textContent: label }), el("td", {}, [link("csv", "CSV"), " ", link("xlsx", "Excel"), " ", geojson ? link(null, "GeoJSON") : null])]);
    }));
  }

  function showBanner(message, kindOfBanner) {
    const banner = $("banner");
    banner.hidden = !message;
    banner.textContent = message || "";
    banner.dataset.kind = kindOfBanner || "";
  }

  // --- what-if -----------------------------------------------------------------------------
  let scenarioTimer = null;
  let scenarioSeq = 0;
  function whatifChanged() {
    syncUrl();
    clearTimeout(scenarioTimer);
    // Debounced: a drag or several clicks send one request.
    scenarioTimer = setTimeout(runScenario, isReport ? 0 : 100);
  }
  function addFacility(lat, lon) {
    state.added.push({ key: nextKey++, lat, lon });
    drawAdded();
    renderWhatifList();
    whatifChanged();
  }
  function removeAdded(key) {
    state.added = state.added.filter((a) => a.key !== key);
    drawAdded();
    renderWhatifList();
    whatifChanged();
  }
  function renderWhatifList() {
    const list = $("whatif-list");
    if (!list) return;
    const items = state.added.map((a) => {
      const undo = el("button", { type: "button", className: "button small", textContent: text.removeAdded });
      undo.addEventListener("click", () => removeAdded(a.key));
      return el("li", {}, [`${text.added(a.key)}（${a.lat.toFixed(4)}, ${a.lon.toFixed(4)}）`, " ", undo]);
    });
    for (const [id, name] of state.removed) {
      const undo = el("button", { type: "button", className: "button small", textContent: text.restore });
      undo.addEventListener("click", () => { state.removed.delete(id); drawFacilities(); renderWhatifList(); whatifChanged(); });
      items.push(el("li", {}, [text.removed(name), " ", undo]));
    }
    list.replaceChildren(...(items.length ? items : [el("li", { className: "help", textContent: text.noneYet })]));
  }

  async function runScenario() {
    const result = $("whatif-result");
    changedLayer.clearLayers();
    if (!state.added.length && !state.removed.size) {
      result.replaceChildren();
      delete result.dataset.after;
      if (isReport) result.hidden = true;
      return;
    }
    if (supplyOf.get(state.kind) === "unknown") return;
    const seq = ++scenarioSeq;
    result.dataset.busy = "true";
    result.setAttribute("aria-busy", "true");
    const body = {
      kind: state.kind, radius_m: state.radius_m, population: state.population,
      add: state.added.map((a) => ({ lat: a.lat, lon: a.lon, capacity: 1 })), remove: [...state.removed.keys()],
    };
    let answer;
    try {
      answer = await api("/scenarios", { method: "POST", body: JSON.stringify(body) });
    } catch (e) {
      if (seq === scenarioSeq) { result.textContent = e.message; delete result.dataset.busy; }
      return;
    }
    if (seq !== scenarioSeq) return;
    const codes = towns().map((t) => t.code);
    const sum = (part, key) => part.gaps.filter((g) => codes.includes(g.municipality_code)).reduce((s, g) => s + (g[key] ?? 0), 0);
    const before = sum(answer.before, "population_uncovered");
    const after = sum(answer.after, "population_uncovered");
    const perTenThousand = (part) => part.accessibility_per_10000 ?? (part.mean_accessibility === null || part.mean_accessibility === undefined ? null : part.mean_accessibility * 10000);
    const accessBefore = perTenThousand(answer.before);
    const accessAfter = perTenThousand(answer.after);
    const g = groupLabel.get(state.population);
    const lines = [el("p", { className: "sentence", textContent: text.sentence(g, persons(before), persons(after), signed(after - before)) })];
    if (accessBefore !== null && accessAfter !== null) lines.push(el("p", { className: "sentence", textContent: text.accessSentence(kindLabel.get(state.kind), number(accessBefore, 2), number(accessAfter, 2)) + (state.area ? text.wholeNote : "") }));
    const rows = [];
    // Every group's figure for the towns chosen: the sum of their own figures, unknown if any is.
    const ofTowns = (part) => {
      const mine = (part.out_of_reach_by_town ?? []).filter((t) => codes.includes(t.municipality_code));
      if (!mine.length) return part.out_of_reach_by_group;
      const total = {};
      for (const id of config.groups.map((x) => x.id)) {
        const values = mine.map((t) => t.population_uncovered[id]);
        total[id] = values.some((v) => v === null || v === undefined) ? null : values.reduce((s, v) => s + v, 0);
      }
      return total;
    };
    const byGroupBefore = ofTowns(answer.before);
    const byGroupAfter = ofTowns(answer.after);
    const groups = byGroupBefore ? config.groups.map((x) => x.id) : [state.population];
    for (const id of groups) {
      const b = byGroupBefore ? byGroupBefore[id] : before;
      const a = byGroupAfter ? byGroupAfter[id] : after;
      const known = b !== null && b !== undefined && a !== null && a !== undefined;
      const row = el("tr", {}, [el("th", { scope: "row", textContent: groupLabel.get(id) }), cell(known ? persons(b) : null), cell(known ? persons(a) : null), cell(known ? signed(a - b) : null)]);
      row.dataset.group = id;
      rows.push(row);
    }
    const tableNode = el("table", { className: "whatif" });
    table(tableNode, [text.group, text.before, text.after, text.difference], rows);
    // Its headings break only between words, so on a phone it scrolls in its frame like the others.
    result.replaceChildren(...lines, el("div", { className: "table-wrap" }, [tableNode]));
    result.dataset.before = String(Math.round(before));
    result.dataset.after = String(Math.round(after));
    result.dataset.request = JSON.stringify(body);
    delete result.dataset.busy;
    result.removeAttribute("aria-busy");
    if (answer.changed_cells) {
      L.geoJSON(answer.changed_cells, {
        style: (f) => (f.properties.covered_after && !f.properties.covered_before
          ? { color: "#1b5e20", weight: 1, fillOpacity: 1, className: "care-atlas-newly-covered" }
          : { color: "#b00020", weight: 1, fillColor: "#e4002b", fillOpacity: 0.5, dashArray: "2 2", className: "care-atlas-newly-uncovered" }),
        interactive: false,
      }).addTo(changedLayer);
    }
  }

  // --- loading -----------------------------------------------------------------------------
  let loadSeq = 0;
  let fitted = false;
  async function load() {
    const seq = ++loadSeq;
    document.body.dataset.ready = "false";
    drawLegend();
    renderExports();
    const kindName = kindLabel.get(state.kind);
    const supply = supplyOf.get(state.kind);
    const facilityQuery = new URLSearchParams({ kind: state.kind, limit: "10000", lang });
    // The towns with their statistics and, per kind and group, the people out of reach at this reach.
    const areasPromise = api(`/areas?${areasQuery()}`);
    const facilitiesPromise = api(`/collections/facilities/items?${facilityQuery}`);
    const sourcesPromise = isReport ? api("/sources") : Promise.resolve(null);
    if (supply === "unknown") {
      // A kind with no source: no gap, no count, no figure; never an all-red map.
      const [areas] = await Promise.all([areasPromise]);
      if (seq !== loadSeq) return;
      drawBoundaries(areas);
      facilities = [];
      drawFacilities();
      drawGaps(null);
      showBanner(text.noSource(kindName), "unknown");
      renderFigures(new Map(), null);
      renderPlaces({ places: [] });
      renderSuggestions({ features: [] });
      renderComparison(areas, null);
      renderMethod(null, null);
      if (isReport) renderSources(await sourcesPromise);
      document.body.dataset.ready = "true";
      return;
    }
    const area = state.area;
    const [areas, items, gaps, summaries, places, suggestions, sources] = await Promise.all([
      areasPromise,
      facilitiesPromise,
      api(`/coverage-gaps?${query({ area, resolution: state.resolution })}`),
      groupSummaries(),
      optional(api(`/underserved-places?${query({ area })}`)),
      optional(api(`/site-suggestions?${query({ n: "3", area })}`)).then((answer) => answer ?? optional(api(`/site-suggestions?${query({ n: "3" })}`))),
      sourcesPromise,
    ]);
    if (seq !== loadSeq) return;
    drawBoundaries(areas);
    if (!fitted) { fitArea(); fitted = true; }
    facilities = items.features;
    drawFacilities();
    drawGaps(gaps);
    drawAdded();
    if (gaps.completeness === "partial") showBanner(`${kindName}：${text.partialUpper}。${text.partialNote}`, "partial");
    else showBanner(null);
    renderFigures(summaries.byTown, gaps);
    renderPlaces(places);
    renderSuggestions(suggestions);
    renderComparison(areas, summaries.byTown);
    renderMethod(gaps.out_of_reach_definition, gaps);
    if (isReport) {
      renderSources(sources);
      renderConditions(gaps);
    }
    renderWhatifList();
    await runScenario();
    if (seq !== loadSeq) return;
    document.body.dataset.ready = "true";
  }

  // --- the planner's controls ----------------------------------------------------------------
  function syncUrl() {
    if (isReport) return;
    const q = pageQuery();
    if (config.tiles === null) q.set("tiles", "none");
    history.replaceState(null, "", `/planner?${q}`);
    $("report-link").href = `/planner/report?${pageQuery()}`;
    const other = new URLSearchParams(q);
    other.set("lang", lang === "ja" ? "en" : "ja");
    $("lang-link").href = `/planner?${other}`;
  }

  function setUpControls() {
    setText("controls-title", text.controls);
    setText("area-label", text.area);
    setText("kind-label", text.kind);
    setText("radius-label", text.radius);
    setText("population-label", text.population);
    setText("resolution-label", text.resolution);
    setText("report-link", text.report);
    setText("lang-link", text.otherLang);
    setText("map-title", text.map);
    setText("map-help", text.mapHelp);
    setText("address-label", text.address);
    setText("address-submit", text.addressGo);
    setText("whatif-reset", text.reset);
    setText("whatif-help", text.whatifHelp);
    setText("add-mode", text.addMode);
    const area = $("area");
    area.append(el("option", { value: "", textContent: text.wholeArea }));
    for (const t of config.towns) area.append(el("option", { value: t.code, textContent: t.name, selected: t.code === state.area }));
    const kind = $("kind");
    for (const k of kinds) {
      const suffix = k.supply === "unknown" ? `（${text.noData}）` : k.supply === "partial" ? `（${lang === "ja" ? "一部のみ" : "partial"}）` : "";
      kind.append(el("option", { value: k.id, textContent: k.label + suffix, disabled: k.supply === "unknown" && k.id !== state.kind, selected: k.id === state.kind }));
    }
    const radius = $("radius");
    const reaches = [500, 1000, 1500, 2000, 3000, 4000, 5000];
    if (!reaches.includes(state.radius_m)) reaches.push(state.radius_m);
    for (const r of reaches.sort((a, b) => a - b)) radius.append(el("option", { value: String(r), textContent: r >= 1000 ? `${r / 1000} km` : `${r} m`, selected: r === state.radius_m }));
    const population = $("population");
    for (const g of config.groups) population.append(el("option", { value: g.id, textContent: g.label, selected: g.id === state.population }));
    const resolution = $("resolution");
    const resolutions = ["polygon", "mesh500", "mesh250"];
    if (!resolutions.includes(state.resolution)) resolutions.push(state.resolution);
    for (const r of resolutions) {
      const input = el("input", { type: "radio", name: "resolution", value: r, checked: r === state.resolution, id: `resolution-${r}` });
      resolution.append(el("label", { htmlFor: input.id, className: "radio" }, [input, text[r]]));
    }
    const changed = (reset) => {
      state.area = area.value || null;
      state.kind = kind.value;
      state.radius_m = Number(radius.value);
      state.population = population.value;
      state.resolution = resolution.querySelector("input:checked").value;
      syncUrl();
      load().then(() => { if (reset) fitArea(); }).catch(failed);
    };
    area.addEventListener("change", () => changed(true));
    for (const control of [kind, radius, population]) control.addEventListener("change", () => changed(false));
    resolution.addEventListener("change", () => changed(false));

    let adding = false;
    const mode = $("add-mode");
    mode.addEventListener("click", () => {
      adding = !adding;
      mode.setAttribute("aria-pressed", String(adding));
      mode.textContent = adding ? text.addModeOn : text.addMode;
      map.getContainer().classList.toggle("adding", adding);
    });
    map.on("click", (event) => { if (adding) addFacility(event.latlng.lat, event.latlng.lng); });
    $("address-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const address = $("address").value.trim();
      const choices = $("address-choices");
      const said = $("address-status");
      choices.replaceChildren();
      said.textContent = "";
      if (!address) return;
      try {
        const answer = await api(`/nearest?${new URLSearchParams({ address, kind: state.kind, k: "1" })}`);
        addFacility(answer.origin.lat, answer.origin.lon);
        map.flyTo([answer.origin.lat, answer.origin.lon], 14, { duration: 0.5 });
        $("address").value = "";
      } catch (failure) {
        // A town name of several municipalities (東1-2) is answered with its candidates: ask which.
        const candidates = failure?.problem?.candidates ?? [];
        if (!candidates.length) {
          said.textContent = `${text.address_failed}：${address}`;
          return;
        }
        said.textContent = text.whichTown(address);
        window.careAtlas.offerAddressChoices(choices, candidates, $("address"));
      }
    });
    $("whatif-reset").addEventListener("click", () => {
      state.added = [];
      state.removed.clear();
      drawAdded();
      drawFacilities();
      renderWhatifList();
      whatifChanged();
    });
    setText("figures-title", text.figures);
    setText("whatif-title", text.whatif);
    setText("suggestions-title", text.suggestions);
    setText("places-title", text.places);
    setText("places-help", text.placesHelp);
    setText("comparison-title", text.comparison);
    setText("exports-title", text.exports);
    setText("method-title", text.method);
    setText("e2sfca-summary", text.e2sfca);
    setText("e2sfca-text", text.e2sfcaText);
    syncUrl();
  }

  // --- the report ----------------------------------------------------------------------------
  function renderConditions(gaps) {
    const rows = [
      [text.area, state.area ? townName.get(state.area) : text.wholeArea],
      [text.kind, kindLabel.get(state.kind)],
      [text.radius, `${state.radius_m / 1000} km`],
      [text.population, groupLabel.get(state.population)],
      [text.resolution, text[state.resolution]],
    ];
    if (state.added.length) rows.push([text.whatif, text.whatifAdded(state.added.length)]);
    if (state.removed.size) rows.push([text.whatif, text.whatifRemoved(state.removed.size)]);
    if (gaps?.population_model) rows.push([text.model, `${text.modelShort}（${gaps.population_model}）`]);
    const list = $("conditions");
    list.replaceChildren();
    for (const [term, value] of rows) list.append(el("dt", { textContent: term }), el("dd", { textContent: value }));
  }
  function renderSources(answer) {
    const node = $("sources");
    if (!answer) return;
    const rows = answer.sources.map((s) => el("tr", {}, [el("td", { textContent: s.title }), el("td", { textContent: s.publisher }), el("td", { textContent: s.as_of ?? "—", className: "num" }), el("td", { textContent: s.attribution })]));
    table(node, [text.sourceTitle, text.publisher, text.asOf, text.attribution], rows);
  }
  function setUpReport() {
    setText("print-button", text.print);
    setText("back-link", text.back);
    $("back-link").href = `/planner?${pageQuery()}`;
    $("print-button").addEventListener("click", () => window.print());
    setText("conditions-title", text.conditions);
    setText("map-title", text.map);
    setText("figures-title", text.figures);
    setText("places-title", text.places);
    setText("suggestions-title", text.suggestions);
    setText("comparison-title", text.comparison);
    setText("method-title", text.method);
    setText("sources-title", text.sources);
    setText("report-date", text.reportDate(new Date().toLocaleDateString(locale)));
    // The printed map is a picture: no dragging, no zooming.
    map.dragging.disable();
    map.scrollWheelZoom.disable();
    map.doubleClickZoom.disable();
  }

  function failed(error) {
    showBanner(`${text.loadFailed}（${error.message}）`, "error");
    document.body.dataset.ready = "error";
  }

  if (isReport) setUpReport(); else setUpControls();
  load().catch(failed);
})();
