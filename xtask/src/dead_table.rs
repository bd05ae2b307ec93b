//! Empties the function-table slots that nothing can call, so their functions drop out of the wasm.
//!
//! Every describe function of an imported JS function that takes a closure (js-sys has dozens:
//! `Int8Array::for_each`, `Array::find`…) puts that closure type's invoke shim in the table, and
//! wasm-bindgen deletes the describe functions but leaves the slots: ~45 dead functions in the
//! overlay, which no optimiser can see as dead because the table keeps them. A slot can only be
//! called through its index, and Rust writes a function pointer as an `i32.const` in code or as a
//! word in a data segment (vtables), so a slot whose index appears in neither is unreachable.
//! wasm-bindgen's invoke shims are also dead when their index does appear: the glue calls them as
//! exports, and the index only served to find them (`export_table_element` in wasm-bindgen).
//! Dead slots point at one `unreachable` stub; the functions then have no reference left and go.

use std::collections::HashSet;

use anyhow::Result;
use walrus::ir::{Const, Value, Visitor};
use walrus::{
    ConstExpr, DataKind, ElementItems, ElementKind, ExportItem, FunctionBuilder, Module, TableId,
};

/// Returns the module with its dead table slots emptied and unreferenced functions removed, and how
/// many slots were emptied. `keep_names` keeps the name section (for `twiggy`).
pub fn prune(wasm: &[u8], keep_names: bool) -> Result<(Vec<u8>, usize)> {
    let mut config = walrus::ModuleConfig::new();
    config
        .generate_name_section(keep_names)
        .generate_producers_section(false);
    let mut module = config.parse(wasm)?;
    // JS can call any slot of an exported or imported table: those are left alone.
    let open: HashSet<TableId> = module
        .exports
        .iter()
        .filter_map(|e| match e.item {
            ExportItem::Table(t) => Some(t),
            _ => None,
        })
        .chain(
            module
                .tables
                .iter()
                .filter(|t| t.import.is_some())
                .map(|t| t.id()),
        )
        .collect();
    let used = referenced_values(&module);
    let mut dead = Vec::new();
    for elem in module.elements.iter() {
        let (ElementKind::Active { table, offset }, ElementItems::Functions(funcs)) =
            (&elem.kind, &elem.items)
        else {
            continue;
        };
        if open.contains(table) {
            continue;
        }
        let ConstExpr::Value(Value::I32(base)) = offset else {
            continue;
        };
        for (i, f) in funcs.iter().enumerate() {
            let index = base.wrapping_add(i as i32) as u32;
            let name = module.funcs.get(*f).name.as_deref().unwrap_or("");
            if !used.contains(&index) || invoke_shim(name) {
                dead.push((elem.id(), i));
            }
        }
    }
    if dead.is_empty() {
        return Ok((module.emit_wasm(), 0));
    }
    let mut stub = FunctionBuilder::new(&mut module.types, &[], &[]);
    stub.func_body().unreachable();
    let stub = stub.finish(Vec::new(), &mut module.funcs);
    for (elem, i) in &dead {
        if let ElementItems::Functions(funcs) = &mut module.elements.get_mut(*elem).items {
            funcs[*i] = stub;
        }
    }
    walrus::passes::gc::run(&mut module);
    Ok((module.emit_wasm(), dead.len()))
}

/// wasm-bindgen's closure invoke shim (`wasm_bindgen::convert::closures::_::invoke::<…>`), by its
/// name in the name section; `[hash]` crate disambiguators may follow each crate name.
fn invoke_shim(name: &str) -> bool {
    name.starts_with("wasm_bindgen") && name.contains("::convert::closures::_::invoke::<")
}

/// Every 32-bit value that could be a function's table index: the `i32.const`s of all code and
/// global initialisers, and the aligned words of the data segments (every offset of a segment
/// whose address is not a constant).
fn referenced_values(module: &Module) -> HashSet<u32> {
    struct Consts<'a>(&'a mut HashSet<u32>);
    impl Visitor<'_> for Consts<'_> {
        fn visit_const(&mut self, c: &Const) {
            if let Value::I32(v) = c.value {
                self.0.insert(v as u32);
            }
        }
    }
    let mut values = HashSet::new();
    for (_, func) in module.funcs.iter_local() {
        walrus::ir::dfs_in_order(&mut Consts(&mut values), func, func.entry_block());
    }
    for global in module.globals.iter() {
        if let walrus::GlobalKind::Local(ConstExpr::Value(Value::I32(v))) = global.kind {
            values.insert(v as u32);
        }
    }
    for data in module.data.iter() {
        let (start, step) = match &data.kind {
            DataKind::Active {
                offset: ConstExpr::Value(Value::I32(at)),
                ..
            } => ((4 - (*at as u32 % 4)) as usize % 4, 4),
            _ => (0, 1),
        };
        let bytes = &data.value;
        let mut at = start;
        while at + 4 <= bytes.len() {
            let word = [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
            values.insert(u32::from_le_bytes(word));
            at += step;
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module whose table holds three functions (`i32.const 10`, `20`, `30`): the first reached
    /// through an `i32.const` in code, the second through a vtable word in data, the third from
    /// nowhere.
    fn module() -> Vec<u8> {
        let mut m = Module::default();
        let memory = m.memories.add_local(false, false, 1, None, None);
        let table = m.tables.add_local(false, 4, None, walrus::RefType::FUNCREF);
        let mut funcs = Vec::new();
        for v in [10, 20, 30] {
            let mut b = FunctionBuilder::new(&mut m.types, &[], &[walrus::ValType::I32]);
            b.func_body().i32_const(v);
            funcs.push(b.finish(Vec::new(), &mut m.funcs));
        }
        // `main` calls slot 1 through the table.
        let ty = m.types.add(&[], &[walrus::ValType::I32]);
        let mut main = FunctionBuilder::new(&mut m.types, &[], &[walrus::ValType::I32]);
        main.func_body().i32_const(1).call_indirect(ty, table);
        let main = main.finish(Vec::new(), &mut m.funcs);
        m.exports.add("main", main);
        m.data.add(
            DataKind::Active {
                memory,
                offset: ConstExpr::Value(Value::I32(16)),
            },
            vec![0, 0, 0, 0, 2, 0, 0, 0],
        );
        let elem = m.elements.add(
            ElementKind::Active {
                table,
                offset: ConstExpr::Value(Value::I32(1)),
            },
            ElementItems::Functions(funcs),
        );
        m.tables.get_mut(table).elem_segments.insert(elem);
        m.emit_wasm()
    }

    fn table_bodies(wasm: &[u8]) -> Vec<Option<i32>> {
        let m = walrus::ModuleConfig::new().parse(wasm).expect("valid wasm");
        let elem = m.elements.iter().next().expect("one segment");
        let ElementItems::Functions(funcs) = &elem.items else {
            panic!("function indices");
        };
        funcs
            .iter()
            .map(|f| {
                let walrus::FunctionKind::Local(local) = &m.funcs.get(*f).kind else {
                    return None;
                };
                let block = local.block(local.entry_block());
                match block.instrs.first() {
                    Some((
                        walrus::ir::Instr::Const(Const {
                            value: Value::I32(v),
                        }),
                        _,
                    )) => Some(*v),
                    _ => None,
                }
            })
            .collect()
    }

    #[test]
    fn empties_only_slots_no_code_or_data_refers_to() {
        let (wasm, emptied) = prune(&module(), false).expect("pruned");
        assert_eq!(emptied, 1);
        // Slot 1 (code's `i32.const 1`) and slot 2 (the data word) keep their functions; slot 3
        // is the stub, and the function it held is gone.
        assert_eq!(table_bodies(&wasm), vec![Some(10), Some(20), None]);
        let m = walrus::ModuleConfig::new()
            .parse(&wasm)
            .expect("valid wasm");
        assert_eq!(m.funcs.iter().count(), 4);
    }

    #[test]
    fn leaves_an_exported_table_alone() {
        let mut m = walrus::ModuleConfig::new()
            .parse(&module())
            .expect("valid wasm");
        let table = m.tables.iter().next().expect("a table").id();
        m.exports.add("table", table);
        let (wasm, emptied) = prune(&m.emit_wasm(), false).expect("parsed");
        assert_eq!(emptied, 0);
        assert_eq!(table_bodies(&wasm), vec![Some(10), Some(20), Some(30)]);
    }

    #[test]
    fn knows_wasm_bindgen_invoke_shims_by_name() {
        assert!(invoke_shim(
            "wasm_bindgen[a283fd348162c721]::convert::closures::_::invoke::<i8, u32, js_sys[fbd9ca7001a0b51c]::Int8Array, (), true>"
        ));
        assert!(!invoke_shim("cairn_overlay::dom::once::{closure#0}"));
    }
}
