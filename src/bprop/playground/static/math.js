// Math in the neuron panel: a symbol with its sub/superscripts (b²₁, w^l_jk, (z^l_j)) never breaks
// across lines. A line may break only at the spaces between terms; the stacked scripts (.ss) are
// boxes the browser would otherwise break before or after, so each word that holds a script is
// wrapped in one unbreakable span (.sym, white-space: nowrap in style.css).

const SCRIPTS = "sup, sub, .ss";

export function keepSymbolsWhole(root) {
  for (const script of root.querySelectorAll(SCRIPTS)) {
    if (script.parentElement.closest(".ss, .sym")) continue;     // inside a stack, or already wrapped
    const sym = document.createElement("span");
    sym.className = "sym";
    script.before(sym);
    const before = sym.previousSibling;                         // the base: the word just before
    if (before && before.nodeType === Node.TEXT_NODE) {
      const base = before.textContent.match(/\S*$/)[0];
      before.textContent = before.textContent.slice(0, before.textContent.length - base.length);
      sym.append(base);
    }
    sym.append(script);
    for (let next = sym.nextSibling; next; next = sym.nextSibling) {   // more scripts, the rest of the word
      if (next.nodeType === Node.ELEMENT_NODE && next.matches(SCRIPTS)) { sym.append(next); continue; }
      if (next.nodeType !== Node.TEXT_NODE) break;
      const rest = next.textContent.match(/^\S*/)[0];
      sym.append(rest);
      next.textContent = next.textContent.slice(rest.length);
      if (next.textContent) break;
      next.remove();
    }
  }
}
