// The consultation page: one session, replies streamed over server-sent events, follow-up questions as
// quick replies, candidates as bars, citations that expand, and the graph behind the ranking as an SVG.
const $ = (id) => document.getElementById(id);
const BODY_PARTS = ["头部", "胸部", "腹部", "腰背部", "四肢", "皮肤", "咽喉"];
let sessionId = null;

function headers() {
  const key = $("api-key").value.trim();
  const base = { "Content-Type": "application/json" };
  return key ? { ...base, Authorization: `Bearer ${key}` } : base;
}

async function problem(response) {
  try {
    const body = await response.json();
    return `${body.detail || body.error}（${response.status}）`;
  } catch {
    return `请求失败（${response.status}）`;
  }
}

async function newSession() {
  const response = await fetch("/v1/sessions", { method: "POST", headers: headers() });
  if (!response.ok) throw new Error(await problem(response));
  sessionId = (await response.json()).session_id;
  document.body.dataset.session = sessionId;
  for (const id of ["messages", "quick-replies", "candidates", "citations", "graph"]) $(id).replaceChildren();
}

function bubble(role, text) {
  const item = document.createElement("li");
  item.className = role;
  item.textContent = text;
  $("messages").append(item);
  item.scrollIntoView({ block: "end" });
  return item;
}

// Server-sent events from a fetch body: yields [event, data] pairs.
async function* events(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (data !== undefined) yield [event, JSON.parse(data)];
    }
  }
}

async function send(text) {
  if (!text.trim()) return;
  $("quick-replies").replaceChildren();
  $("send").disabled = true;
  let answer = null;
  try {
    if (!sessionId) await newSession();
    bubble("user", text);
    answer = bubble("assistant", "");
    answer.dataset.tokens = "0";
    const response = await fetch(`/v1/sessions/${sessionId}/messages/stream`, {
      method: "POST", headers: headers(), body: JSON.stringify({ text }),
    });
    if (!response.ok) throw new Error(await problem(response));
    for await (const [event, data] of events(response)) {
      if (event === "token") {
        answer.textContent += data.text;
        answer.dataset.tokens = String(Number(answer.dataset.tokens) + 1);
      } else if (event === "reply") {
        showReply(answer, data);
      }
    }
  } catch (error) {
    answer ??= bubble("error", "");
    answer.className = "error";
    answer.textContent = `出错了：${error.message}`;
  } finally {
    $("send").disabled = false;
  }
}

function showReply(item, reply) {
  item.textContent = reply.text;
  item.dataset.kind = reply.kind;
  if (reply.kind === "emergency" || reply.urgency === "emergency") item.className = "assistant emergency";
  else if (reply.urgency === "urgent") item.className = "assistant urgent";
  showQuickReplies(reply.question);
  showCandidates(reply.candidates);
  if (reply.citations.length) showCitations(reply.citations);
  drawEvidence();
}

function showQuickReplies(question) {
  const box = $("quick-replies");
  box.replaceChildren();
  if (!question) return;
  let choices = [];
  if (question.kind === "symptom" || question.kind === "screen" || (question.kind === "body_part" && question.target)) {
    choices = ["有", "没有", "不清楚"];
  } else if (question.kind === "body_part") {
    choices = [...BODY_PARTS, "说不清"];
  } else if (question.kind === "open") {
    choices = ["没有了"];
  }
  for (const choice of choices) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = choice;
    button.addEventListener("click", () => send(choice));
    box.append(button);
  }
}

function showCandidates(candidates) {
  $("candidates").replaceChildren(...candidates.map(({ disease, probability }) => {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = disease;
    const bar = document.createElement("div");
    bar.className = "bar";
    const fill = document.createElement("span");
    fill.style.width = `${Math.round(probability * 100)}%`;
    bar.append(fill);
    const value = document.createElement("span");
    value.textContent = `${(probability * 100).toFixed(1)}%`;
    item.append(name, bar, value);
    return item;
  }));
}

function showCitations(citations) {
  $("citations").replaceChildren(...citations.map((citation) => {
    const item = document.createElement("li");
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    const label = citation.title ? `《${citation.title}》` : citation.text;
    summary.textContent = `[${citation.id}] ${label.slice(0, 40)}${label.length > 40 ? "…" : ""}`;
    const passage = document.createElement("div");
    passage.className = "passage";
    const where = citation.kind === "kg"
      ? `知识图谱 ${citation.source ?? ""}${citation.line ? `:${citation.line}` : ""}`
      : `文献 ${citation.source ?? ""}${citation.chunk_id ? ` (${citation.chunk_id})` : ""}`;
    passage.textContent = `${citation.text}\n— ${where}`;
    details.append(summary, passage);
    item.append(details);
    return item;
  }));
}

const COLUMN = { present: 0, absent: 0, disease: 1, check: 2, department: 2 };
const SVG = "http://www.w3.org/2000/svg";

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

async function drawEvidence() {
  const response = await fetch(`/v1/sessions/${sessionId}/evidence`, { headers: headers() });
  if (!response.ok) return;
  const { nodes, edges } = await response.json();
  const rows = [0, 0, 0];
  const at = {};
  const order = ["present", "absent", "disease", "check", "department"];
  for (const node of [...nodes].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind))) {
    const column = COLUMN[node.kind];
    at[node.id] = { x: 20 + column * 200, y: 20 + rows[column]++ * 44, node };
  }
  const height = 40 + Math.max(1, ...rows) * 44;
  const svg = svgElement("svg", { viewBox: `0 0 580 ${height}`, role: "img", "aria-label": "知识图谱子图" });
  for (const edge of edges) {
    const [a, b] = [at[edge.source], at[edge.target]];
    if (!a || !b) continue;
    const [from, to] = a.x < b.x ? [a, b] : [b, a];
    svg.append(svgElement("line", { x1: from.x + 150, y1: from.y + 15, x2: to.x, y2: to.y + 15, class: edge.relation }));
  }
  for (const { x, y, node } of Object.values(at)) {
    const group = svgElement("g", { class: `node ${node.kind}`, "data-kind": node.kind });
    group.append(svgElement("rect", { x, y, width: 150, height: 30 }));
    const label = svgElement("text", { x: x + 8, y: y + 20, "font-size": 13 });
    const share = node.probability == null ? "" : ` ${(node.probability * 100).toFixed(0)}%`;
    label.textContent = `${node.label.slice(0, 9)}${share}`;
    group.append(label);
    svg.append(group);
  }
  $("graph").replaceChildren(svg);
}

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("input").value;
  $("input").value = "";
  send(text);
});
$("input").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});
$("restart").addEventListener("click", () => newSession().catch((error) => bubble("error", error.message)));
$("api-key").value = sessionStorage.getItem("wenzhen-key") ?? "";
$("api-key").addEventListener("change", () => sessionStorage.setItem("wenzhen-key", $("api-key").value));
