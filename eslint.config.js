// ESLint for the browser views (run by scripts/test.sh: npm ci, then npx eslint).
//
// convlab/view/*.js are one ES module cut into files (core, one file per lesson kind, the table of kinds; the
// notebook widget's entry): convlab.view.view_js concatenates them, with no build step. Each file is linted on its
// own, so its line numbers are its own: the top-level names the other files declare are its globals, and a
// top-level name that only another file uses is not "unused".
import fs from "node:fs";
import path from "node:path";
import js from "@eslint/js";
import globals from "globals";

const VIEW = "convlab/view";
const TOP = /^(?:export\s+)?(?:function|class|const|let)\s+([A-Za-z_$][\w$]*)/gm;
const files = fs.readdirSync(VIEW).filter((f) => f.endsWith(".js"));
const text = Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(VIEW, f), "utf8")]));
const declared = Object.fromEntries(files.map((f) => [f, [...text[f].matchAll(TOP)].map((m) => m[1])]));

function viewFile(f) {
  const mine = new Set(declared[f]);
  const shared = {};
  for (const other of files) if (other !== f) for (const name of declared[other]) if (!mine.has(name)) shared[name] = "readonly";
  const others = files.filter((o) => o !== f).map((o) => text[o]).join("\n");
  const usedElsewhere = [...mine].filter((name) => new RegExp(`\\b${name.replace("$", "\\$")}\\b`).test(others));
  return {
    files: [`${VIEW}/${f}`],
    languageOptions: { globals: { ...globals.browser, ...shared } },
    rules: {
      "no-unused-vars": ["error", { args: "none", varsIgnorePattern: usedElsewhere.length ? `^(${usedElsewhere.join("|")})$` : "^$" }],
    },
  };
}

export default [
  js.configs.recommended,
  { languageOptions: { ecmaVersion: 2022, sourceType: "module" } },
  ...files.map(viewFile),
  { files: ["ui/netview/*.js", "ui/leaving.js"], languageOptions: { globals: globals.browser } },
  { files: ["tests/js/**/*.mjs", "eslint.config.js"], languageOptions: { globals: globals.node } },
];
