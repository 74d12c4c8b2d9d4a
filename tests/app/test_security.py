"""Static checks of the security rules: no HTML built from anything a user typed, uploaded or put in a URL;
models only through safetensors, never a pickle; the server's security settings; the dependency floors."""

import ast
import pathlib
import re
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").rglob("*.py")), *sorted((ROOT / "ui").rglob("*.py")),
           *sorted((ROOT / "convlab").rglob("*.py"))]


def _calls(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            yield node, ast.unparse(node.func)


def test_html_only_from_constant_strings():
    for path in SOURCES:
        for node, name in _calls(path):
            for kw in node.keywords:
                assert not (kw.arg == "unsafe_allow_html" and not (isinstance(kw.value, ast.Constant)
                                                                     and kw.value.value is False)), \
                    f"{path.name}:{node.lineno} unsafe_allow_html"
            if name in ("st.html", "components.html", "st.components.v1.html"):
                arg = node.args[0]
                assert isinstance(arg, ast.Constant) or (isinstance(arg, ast.BinOp) and all(
                    isinstance(n, ast.Constant) for n in ast.walk(arg) if isinstance(n, (ast.Name, ast.Constant,
                                                                                          ast.JoinedStr)))), \
                    f"{path.name}:{node.lineno}: st.html with something that is not a constant"


def test_models_never_unpickled():
    for path in SOURCES:
        for node, name in _calls(path):
            assert name not in ("torch.load", "pickle.load", "pickle.loads", "joblib.load", "np.load"), \
                f"{path.name}:{node.lineno}: {name} can run code from a file; use convlab.networks.modelio (safetensors)"
    assert "safetensors" in (ROOT / "convlab" / "networks" / "modelio.py").read_text()


def test_server_security_settings():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["maxUploadSize"] <= 10 and config["server"]["maxMessageSize"] <= 50
    assert config["browser"]["gatherUsageStats"] is False


def test_dependency_floors_at_or_above_the_fixed_releases():
    """streamlit >= 1.54 (CVE-2026-33682), pillow >= 12.3, torch >= 2.10 (CVE-2026-24747): see the README."""
    def version(text):
        return tuple(int(p) for p in re.match(r"[\d.]+", text).group(0).rstrip(".").split("."))

    floors = {"streamlit": (1, 54), "pillow": (12, 3), "torch": (2, 10)}
    found = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        m = re.match(r"\s*([A-Za-z0-9_-]+)\s*(==|>=)\s*([\d.]+)", line)
        if m and m.group(1).lower() in floors:
            found[m.group(1).lower()] = version(m.group(3))
    assert set(found) == set(floors), found
    for name, floor in floors.items():
        assert found[name] >= floor, (name, found[name], floor)
