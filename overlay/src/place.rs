//! Where a popover goes: pure geometry, so it is unit-tested natively. The popover sits on the
//! preferred side of its anchor, flips to the opposite side (then the remaining ones) when it does
//! not fit, and is clamped into the viewport.

use cairn_shared::content::Placement;

/// Space between the anchor and the popover (room for the arrow).
pub const GAP: f64 = 12.0;
/// Minimum distance from the viewport's edges.
pub const MARGIN: f64 = 8.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    /// Grown by `d` on every side.
    pub fn inflate(&self, d: f64) -> Rect {
        Rect {
            x: self.x - d,
            y: self.y - d,
            w: self.w + 2.0 * d,
            h: self.h + 2.0 * d,
        }
    }

    /// Whether it lies entirely inside a `vw`×`vh` viewport.
    pub fn inside(&self, vw: f64, vh: f64) -> bool {
        self.x >= 0.0 && self.y >= 0.0 && self.right() <= vw && self.bottom() <= vh
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Top,
    Bottom,
    Left,
    Right,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Top => "top",
            Side::Bottom => "bottom",
            Side::Left => "left",
            Side::Right => "right",
        }
    }

    fn opposite(self) -> Side {
        match self {
            Side::Top => Side::Bottom,
            Side::Bottom => Side::Top,
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }
}

/// Where the popover goes: its top-left corner, the side of the anchor it is on, and the arrow's
/// offset along the popover's edge facing the anchor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    pub side: Side,
    pub x: f64,
    pub y: f64,
    pub arrow: f64,
}

/// Places a `w`×`h` popover next to `anchor` in a `vw`×`vh` viewport.
pub fn place(anchor: Rect, (w, h): (f64, f64), (vw, vh): (f64, f64), pref: Placement) -> Placed {
    let first = match pref {
        Placement::Auto | Placement::Bottom => Side::Bottom,
        Placement::Top => Side::Top,
        Placement::Left => Side::Left,
        Placement::Right => Side::Right,
    };
    let across = match first {
        Side::Top | Side::Bottom => [Side::Right, Side::Left],
        Side::Left | Side::Right => [Side::Bottom, Side::Top],
    };
    let fits = |side: Side| match side {
        Side::Top => anchor.y - GAP - MARGIN >= h,
        Side::Bottom => vh - anchor.bottom() - GAP - MARGIN >= h,
        Side::Left => anchor.x - GAP - MARGIN >= w,
        Side::Right => vw - anchor.right() - GAP - MARGIN >= w,
    };
    let side = [first, first.opposite(), across[0], across[1]]
        .into_iter()
        .find(|s| fits(*s))
        .unwrap_or(first);

    let cx = anchor.x + anchor.w / 2.0;
    let cy = anchor.y + anchor.h / 2.0;
    let (x, y) = match side {
        Side::Top => (cx - w / 2.0, anchor.y - GAP - h),
        Side::Bottom => (cx - w / 2.0, anchor.bottom() + GAP),
        Side::Left => (anchor.x - GAP - w, cy - h / 2.0),
        Side::Right => (anchor.right() + GAP, cy - h / 2.0),
    };
    let x = clamp(x, MARGIN, vw - w - MARGIN);
    let y = clamp(y, MARGIN, vh - h - MARGIN);
    let arrow = match side {
        Side::Top | Side::Bottom => clamp(cx - x, 16.0, w - 16.0),
        Side::Left | Side::Right => clamp(cy - y, 16.0, h - 16.0),
    };
    Placed { side, x, y, arrow }
}

/// The top-left corner that centres a `w`×`h` box in the viewport.
pub fn centered((w, h): (f64, f64), (vw, vh): (f64, f64)) -> (f64, f64) {
    (
        clamp((vw - w) / 2.0, MARGIN, vw),
        clamp((vh - h) / 2.0, MARGIN, vh),
    )
}

/// Like `f64::clamp`, but a range too small for the box keeps it at `lo` instead of panicking.
fn clamp(v: f64, lo: f64, hi: f64) -> f64 {
    if hi < lo { lo } else { v.max(lo).min(hi) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIEW: (f64, f64) = (1000.0, 800.0);
    const POP: (f64, f64) = (300.0, 150.0);

    fn anchor(x: f64, y: f64) -> Rect {
        Rect {
            x,
            y,
            w: 100.0,
            h: 40.0,
        }
    }

    #[test]
    fn auto_prefers_below_and_centres() {
        let p = place(anchor(400.0, 100.0), POP, VIEW, Placement::Auto);
        assert_eq!(p.side, Side::Bottom);
        assert_eq!((p.x, p.y), (300.0, 152.0));
        assert_eq!(p.arrow, 150.0);
    }

    #[test]
    fn flips_when_there_is_no_room() {
        let p = place(anchor(400.0, 700.0), POP, VIEW, Placement::Auto);
        assert_eq!(p.side, Side::Top);
        assert_eq!(p.y, 700.0 - GAP - 150.0);
        let p = place(anchor(850.0, 300.0), POP, VIEW, Placement::Right);
        assert_eq!(p.side, Side::Left);
        assert_eq!(p.x, 850.0 - GAP - 300.0);
    }

    #[test]
    fn explicit_side_is_kept_when_it_fits() {
        let p = place(anchor(400.0, 300.0), POP, VIEW, Placement::Top);
        assert_eq!(p.side, Side::Top);
        let p = place(anchor(400.0, 300.0), POP, VIEW, Placement::Left);
        assert_eq!(p.side, Side::Left);
        assert_eq!(p.y, 320.0 - 75.0);
    }

    #[test]
    fn clamps_into_the_viewport_and_keeps_the_arrow_on_the_anchor() {
        let p = place(anchor(0.0, 100.0), POP, VIEW, Placement::Bottom);
        assert_eq!(p.x, MARGIN);
        assert_eq!(p.arrow, 50.0 - MARGIN);
        let p = place(anchor(960.0, 100.0), POP, VIEW, Placement::Bottom);
        assert_eq!(p.x, 1000.0 - 300.0 - MARGIN);
        assert_eq!(p.arrow, 300.0 - 16.0);
    }

    #[test]
    fn tiny_viewport_does_not_panic() {
        let p = place(anchor(10.0, 10.0), POP, (200.0, 100.0), Placement::Auto);
        assert_eq!((p.x, p.y), (MARGIN, MARGIN));
        assert_eq!(centered(POP, (200.0, 100.0)), (MARGIN, MARGIN));
    }

    #[test]
    fn rect_helpers() {
        let r = anchor(10.0, 10.0);
        assert!(r.inside(1000.0, 800.0));
        assert!(!anchor(950.0, 10.0).inside(1000.0, 800.0));
        assert_eq!(
            r.inflate(4.0),
            Rect {
                x: 6.0,
                y: 6.0,
                w: 108.0,
                h: 48.0
            }
        );
    }
}
