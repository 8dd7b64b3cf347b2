"""Configuration: flags > environment > config file > provider preset > defaults; the key stays secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.config import ENV_FIELDS, PROVIDERS, endpoint_configured, load_config
from summarizer.errors import ConfigError

SECRET = "sk-test-SECRET-123"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No variable or config file of the machine running the tests leaks in."""
    for name in [*ENV_FIELDS, "OPENAI_API_KEY", "DEEPSEEK_API_KEY", "DASHSCOPE_API_KEY", "VLLM_API_KEY",
                 "SUMMARIZER_CONFIG"]:  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config-home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-home"))
    monkeypatch.chdir(tmp_path)


def write_config(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_need_no_file_and_point_nowhere() -> None:
    config = load_config()
    assert config.llm.model is None and config.llm.base_url is None
    assert config.llm.resolved_mode == "tools"
    assert not endpoint_configured(config)
    assert config.llm.cache_dir == Path.cwd() / "cache-home" / "summarizer"


def test_flags_beat_environment_which_beats_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write_config(tmp_path / "summarizer.yaml", "llm:\n  model: from-file\n  timeout: 12\n  max_reasks: 5\n")
    monkeypatch.setenv("SUMMARIZER_MODEL", "from-env")
    monkeypatch.setenv("SUMMARIZER_TIMEOUT", "30")
    config = load_config(model="from-flag", timeout=None)
    assert config.llm.model == "from-flag"
    assert config.llm.timeout == 30.0  # a flag given as None is "not given"
    assert config.llm.max_reasks == 5


def test_config_file_locations(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    user_file = write_config(tmp_path / "config-home" / "summarizer" / "config.yaml", "llm: {model: user}\n")
    assert load_config().llm.model == "user"
    write_config(tmp_path / "summarizer.yaml", "llm: {model: project}\n")
    assert load_config().llm.model == "project"
    explicit = write_config(tmp_path / "elsewhere.yaml", "llm: {model: explicit}\nmax_bytes: 1000\n")
    monkeypatch.setenv("SUMMARIZER_CONFIG", str(explicit))
    assert load_config().llm.model == "explicit"
    assert load_config().max_bytes == 1000
    assert load_config(user_file).llm.model == "user"


@pytest.mark.parametrize(
    ("provider", "base_url", "mode"),
    [
        ("openai", "https://api.openai.com/v1", "tools"),
        ("deepseek", "https://api.deepseek.com/v1", "tools"),
        ("qwen", "https://dashscope.aliyuncs.com/compatible-mode/v1", "tools"),
        ("dashscope", "https://dashscope.aliyuncs.com/compatible-mode/v1", "tools"),
        ("vllm", "http://localhost:8000/v1", "json_schema"),
        ("ollama", "http://localhost:11434/v1", "json"),
        ("llama.cpp", "http://localhost:8080/v1", "json_schema"),
    ],
)
def test_provider_presets_set_url_and_mode(provider: str, base_url: str, mode: str) -> None:
    config = load_config(provider=provider)
    assert config.llm.base_url == base_url
    assert config.llm.resolved_mode == mode
    assert endpoint_configured(config)


def test_a_flagged_provider_overrides_an_environment_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    assert load_config().llm.base_url == "http://127.0.0.1:9/v1"
    assert load_config(provider="ollama").llm.base_url == PROVIDERS["ollama"].base_url
    assert load_config(provider="ollama", base_url="http://gpu:11434/v1").llm.base_url == "http://gpu:11434/v1"


def test_an_explicit_mode_wins_over_the_preset() -> None:
    assert load_config(provider="ollama", mode="md_json").llm.resolved_mode == "md_json"


def test_provider_keys_come_from_their_own_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-deepseek")
    assert load_config(provider="deepseek").llm.api_key.get_secret_value() == "sk-deepseek"
    assert load_config(provider="qwen").llm.api_key.get_secret_value() == "sk-openai"
    assert load_config().llm.api_key.get_secret_value() == "sk-openai"


def test_local_servers_need_no_key() -> None:
    assert load_config(provider="ollama").llm.api_key is not None
    assert load_config(provider="openai").llm.api_key is None


def test_the_key_never_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    config = load_config(provider="openai")
    assert config.llm.api_key.get_secret_value() == SECRET
    for shown in (repr(config), str(config), config.model_dump_json(), repr(config.llm), str(config.model_dump())):
        assert SECRET not in shown


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"provider": "acme"}, "unknown provider 'acme'"),
        ({"timeout": -1}, "llm.timeout"),
        ({"mode": "xml"}, "llm.mode"),
        ({"base_url": "localhost:8000"}, "must start with http"),
        ({"colour": "blue"}, "unknown setting(s): colour"),
    ],
)
def test_bad_values_are_config_errors(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_config(**overrides)


def test_bad_config_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")
    broken = write_config(tmp_path / "broken.yaml", "llm: [unclosed\n")
    with pytest.raises(ConfigError, match="broken.yaml"):
        load_config(broken)
    unknown = write_config(tmp_path / "unknown.yaml", "llm: {model: m}\nbackend: llm\n")
    with pytest.raises(ConfigError, match="unknown setting"):
        load_config(unknown)
    typo = write_config(tmp_path / "typo.yaml", "llm: {modle: m}\n")
    with pytest.raises(ConfigError, match="llm.modle"):
        load_config(typo)


def test_price_table_from_the_file(tmp_path: Path) -> None:
    path = write_config(
        tmp_path / "prices.yaml", "llm:\n  model: m1\n  prices:\n    m1: {prompt: 0.002, completion: 0.008}\n"
    )
    price = load_config(path).llm.price()
    assert price is not None and (price.prompt, price.completion) == (0.002, 0.008)
