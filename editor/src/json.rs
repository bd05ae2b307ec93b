//! JSON through the browser: `JSON.parse`/`JSON.stringify` plus serde-wasm-bindgen, so no JSON
//! parser is compiled into the wasm.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

/// Serialises like serde_json would (`None` as `null`, maps as objects).
pub fn to_string(value: &impl Serialize) -> Result<String, String> {
    let js = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| e.to_string())?;
    js_sys::JSON::stringify(&js)
        .map(String::from)
        .map_err(|_| "cannot serialise".to_string())
}

pub fn from_str<T: DeserializeOwned>(json: &str) -> Result<T, String> {
    let value = js_sys::JSON::parse(json).map_err(|_| "invalid JSON".to_string())?;
    from_js(value)
}

/// Reads an already-parsed JSON value (e.g. from `Response.json()`).
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}
