// Loads the editor's wasm, then renders the app into #app. (The same bundle's `start_author` is the
// author mode the overlay loader starts on host pages.)
import init, { start_editor } from './cairn_editor.js';
init().then(start_editor);
