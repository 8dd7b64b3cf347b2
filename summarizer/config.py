"""Settings for every run: flags > environment > config file > provider preset > defaults.

The ecosystem's names are honoured (``OPENAI_API_KEY``, ``OPENAI_BASE_URL``), a provider preset
fills in its base URL, default model and the instructor mode it speaks best, and the API key is a
``SecretStr`` so that it never shows in a repr, a log line, a cache entry or an output file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from summarizer.document import DEFAULT_MAX_BYTES
from summarizer.errors import ConfigError
from summarizer.resources import parse_yaml

ModeName = Literal["auto", "tools", "json_schema", "json", "md_json"]
#: The order in which modes are tried when a server rejects one.
MODE_FALLBACK: tuple[str, ...] = ("tools", "json_schema", "json", "md_json")
#: A placeholder for servers that ignore the key (vLLM, Ollama, llama.cpp): the client insists on one.
NO_KEY = "not-needed"


@dataclass(frozen=True)
class ProviderPreset:
    base_url: str
    model: str | None
    mode: str
    key_env: tuple[str, ...]
    needs_key: bool


PROVIDERS: dict[str, ProviderPreset] = {
    "openai": ProviderPreset("https://api.openai.com/v1", "gpt-4o-mini", "tools", ("OPENAI_API_KEY",), True),
    "deepseek": ProviderPreset("https://api.deepseek.com/v1", "deepseek-chat", "tools", ("DEEPSEEK_API_KEY",), True),
    "qwen": ProviderPreset(
        "https://dashscope.aliyuncs.com/compatible-mode/v1", "qwen-plus", "tools", ("DASHSCOPE_API_KEY",), True
    ),
    # vLLM and llama.cpp constrain decoding to a response_format json_schema; Ollama's OpenAI route
    # is most reliable with json_object. Tool calling there depends on the model and server flags.
    "vllm": ProviderPreset("http://localhost:8000/v1", None, "json_schema", ("VLLM_API_KEY",), False),
    "ollama": ProviderPreset("http://localhost:11434/v1", None, "json", (), False),
    "llamacpp": ProviderPreset("http://localhost:8080/v1", None, "json_schema", (), False),
    # llama.cpp's server started in this process for the run (summarizer.backends.local): its
    # address is only known once it listens, so the preset's is a placeholder.
    "local": ProviderPreset("http://127.0.0.1:0/v1", "local", "json_schema", (), False),
}
PROVIDER_ALIASES = {"dashscope": "qwen", "llama.cpp": "llamacpp", "llama-cpp": "llamacpp"}

#: Environment variable -> LLMSettings field (the key is handled apart: it depends on the provider).
ENV_FIELDS = {
    "OPENAI_BASE_URL": "base_url",
    "SUMMARIZER_PROVIDER": "provider",
    "SUMMARIZER_MODEL": "model",
    "SUMMARIZER_MODE": "mode",
    "SUMMARIZER_TIMEOUT": "timeout",
    "SUMMARIZER_MAX_RETRIES": "max_retries",
    "SUMMARIZER_CACHE_DIR": "cache_dir",
    "SUMMARIZER_MODEL_PATH": "model_path",
    "SUMMARIZER_PROMPTS_DIR": "prompts_dir",
}
CONFIG_ENV = "SUMMARIZER_CONFIG"


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "summarizer"


class Price(BaseModel):
    """Price per 1,000 tokens, in whatever currency the user keeps the table in."""

    model_config = ConfigDict(extra="forbid")
    prompt: float = Field(ge=0)
    completion: float = Field(ge=0)
    batch_share: float = Field(
        default=0.5, ge=0, le=1, description="Share of the price a Batch API request costs (OpenAI's: half)."
    )


class LLMSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    provider: str | None = None
    base_url: str | None = None
    model: str | None = None
    api_key: SecretStr | None = Field(default=None, repr=False)
    mode: ModeName = "auto"
    timeout: float = Field(default=60.0, gt=0, description="Seconds per HTTP attempt.")
    max_retries: int = Field(default=3, ge=0, description="HTTP-level retries (429, 5xx, timeouts, drops).")
    retry_backoff: float = Field(default=1.0, ge=0, description="First backoff in seconds; doubles per retry.")
    max_reasks: int = Field(default=2, ge=0, description="Re-asks after a parse or grounding error.")
    temperature: float = Field(default=0.0, ge=0, le=2)
    max_tokens: int = Field(default=4096, gt=0)
    concurrency: int = Field(default=4, ge=1, description="Requests in flight at once, for a whole batch.")
    cache_dir: Path = Field(default_factory=default_cache_dir)
    use_cache: bool = True
    record_dir: Path | None = None
    replay_dir: Path | None = None
    chunk_chars: int = Field(default=6000, ge=200, description="Longer documents are summarised in chunks.")
    chunk_overlap: int = Field(default=200, ge=0)
    token_budget: int | None = Field(default=None, gt=0, description="Per document: no re-ask beyond it.")
    prices: dict[str, Price] = Field(default_factory=dict, description="Model name -> price per 1K tokens.")
    model_path: Path | None = Field(default=None, description="A GGUF file for the local provider.")
    prompts_dir: Path | None = Field(
        default=None,
        description="A folder of prompt files (prompts/ of a project) instead of the shipped ones.",
    )

    @field_validator("provider")
    @classmethod
    def _known_provider(cls, value: str | None) -> str | None:
        if value is None:
            return None
        name = PROVIDER_ALIASES.get(value.lower(), value.lower())
        if name not in PROVIDERS:
            known = ", ".join([*PROVIDERS, *PROVIDER_ALIASES])
            raise ValueError(f"unknown provider {value!r}; expected one of {known}")
        return name

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"base URL must start with http:// or https://, got {value!r}")
        return value.rstrip("/") if value else value

    @property
    def resolved_mode(self) -> str:
        """The first mode to try: the one asked for, else the provider's, else tool calling."""
        if self.mode != "auto":
            return self.mode
        return PROVIDERS[self.provider].mode if self.provider else "tools"

    def price(self) -> Price | None:
        return self.prices.get(self.model or "")


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    llm: LLMSettings = Field(default_factory=LLMSettings)
    max_bytes: int = Field(default=DEFAULT_MAX_BYTES, gt=0, description="Largest input file accepted.")


_CONFIG_FIELDS = {name for name in Config.model_fields if name != "llm"}


def load_config(config_file: str | Path | None = None, **overrides: Any) -> Config:
    """Build the configuration; ``overrides`` are flags (a value of None means "not given").

    Keys of ``overrides`` are ``LLMSettings`` fields or ``Config`` fields (``max_bytes``).
    """
    unknown = set(overrides) - set(LLMSettings.model_fields) - _CONFIG_FIELDS
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    flags = {key: value for key, value in overrides.items() if value is not None}
    file_values = _read_config_file(config_file)
    file_llm = file_values.pop("llm", None) or {}
    if not isinstance(file_llm, Mapping):
        raise ConfigError("config file: 'llm' must be a mapping of settings")

    layers = [
        _with_preset(dict(file_llm)),
        _with_preset({field: os.environ[var] for var, field in ENV_FIELDS.items() if os.environ.get(var)}),
        _with_preset({key: value for key, value in flags.items() if key not in _CONFIG_FIELDS}),
    ]
    llm_values: dict[str, Any] = {}
    for layer in layers:
        llm_values.update(layer)
    key = _api_key(llm_values.get("provider"), flags.get("api_key"), file_llm.get("api_key"))
    llm_values.pop("api_key", None)
    if key is not None:
        llm_values["api_key"] = key

    top = {name: value for name, value in file_values.items()}
    top.update({name: flags[name] for name in _CONFIG_FIELDS if name in flags})
    try:
        return Config.model_validate({**top, "llm": llm_values})
    except ValidationError as error:
        raise ConfigError(_describe(error)) from None


def endpoint_configured(config: Config) -> bool:
    """True when the user pointed summarizer at a model server (backend "auto" then picks the LLM)."""
    return bool(config.llm.base_url or config.llm.provider)


def _with_preset(layer: dict[str, Any]) -> dict[str, Any]:
    """A layer that names a provider brings that provider's base URL, model and mode along."""
    provider = layer.get("provider")
    if provider is None:
        return layer
    name = PROVIDER_ALIASES.get(str(provider).lower(), str(provider).lower())
    preset = PROVIDERS.get(name)
    if preset is None:
        return layer  # LLMSettings reports the unknown provider with the list of known ones
    filled = {"base_url": preset.base_url, "mode": "auto"}
    if preset.model:
        filled["model"] = preset.model
    return {**filled, **layer}


def _api_key(provider: str | None, flag_key: Any, file_key: Any) -> SecretStr | None:
    """The key: given in code, else the provider's variable, else OPENAI_API_KEY, else the file."""
    if flag_key is not None:
        return flag_key if isinstance(flag_key, SecretStr) else SecretStr(str(flag_key))
    name = PROVIDER_ALIASES.get((provider or "").lower(), (provider or "").lower())
    preset = PROVIDERS.get(name)
    for variable in (*(preset.key_env if preset else ()), "OPENAI_API_KEY"):
        if os.environ.get(variable):
            return SecretStr(os.environ[variable])
    if file_key:
        return SecretStr(str(file_key))
    if preset is not None and not preset.needs_key:
        return SecretStr(NO_KEY)
    return None


def _config_path(config_file: str | Path | None) -> Path | None:
    explicit = config_file or os.environ.get(CONFIG_ENV)
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found")
        return path
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    for candidate in (Path("summarizer.yaml"), config_home / "summarizer" / "config.yaml"):
        if candidate.is_file():
            return candidate
    return None


def _read_config_file(config_file: str | Path | None) -> dict[str, Any]:
    path = _config_path(config_file)
    if path is None:
        return {}
    try:
        values = parse_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"{path}: cannot read config file ({error.__class__.__name__})") from None
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: config file must hold a mapping, e.g. 'llm: {{model: ...}}'")
    unknown = set(values) - {"llm"} - _CONFIG_FIELDS
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(sorted(unknown))}")
    return values


def _describe(error: ValidationError) -> str:
    """One line per bad value, naming the setting; the input value is left out (it may be the key)."""
    parts = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"]) or "config"
        parts.append(f"{where}: {problem['msg']}")
    return "invalid configuration: " + "; ".join(parts)
