// Loads the editor's wasm; `#[wasm_bindgen(start)]` then renders the app into #app.
import init from './cairn_editor.js';
init();
