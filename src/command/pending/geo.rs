//! Key specs, tips and documentation of the commands of Redis's `geo` group
//! that oxidis does not serve yet, as Redis 7.0 reports them in COMMAND INFO and
//! COMMAND DOCS (history in our own words).

use super::*;

#[rustfmt::skip]
pub const SPECS: &[CommandSpec] = &[
    CommandSpec {
        name: "geoadd",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        history: &[
            ("6.2.0", "New `CH`, `NX` and `XX` options."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("condition", OneOf).since("6.2.0").opt().sub(&[
                a("nx", Token).token("NX"),
                a("xx", Token).token("XX"),
            ]),
            a("change", Token).token("CH").since("6.2.0").opt(),
            a("longitude_latitude_member", Block).multi().sub(&[
                a("longitude", Double),
                a("latitude", Double),
                a("member", Str),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "geodist",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("member1", Str),
            a("member2", Str),
            a("unit", OneOf).opt().sub(&[
                a("m", Token).token("M"),
                a("km", Token).token("KM"),
                a("ft", Token).token("FT"),
                a("mi", Token).token("MI"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "geohash",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("member", Str).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "geopos",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("member", Str).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "georadius",
        key_specs: &[
            ks(RO | ACCESS, idx(1), range(0, 1, 0)),
            ks(OW | UPDATE, kw("STORE", 6), range(0, 1, 0)),
            ks(OW | UPDATE, kw("STOREDIST", 6), range(0, 1, 0)),
        ],
        doc_flags: DOC_DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument"),
        history: &[
            ("6.2.0", "`COUNT` takes the new `ANY` option."),
            ("7.0.0", "Unit names may be upper case."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("longitude", Double),
            a("latitude", Double),
            a("radius", Double),
            a("unit", OneOf).sub(&[
                a("m", Token).token("M"),
                a("km", Token).token("KM"),
                a("ft", Token).token("FT"),
                a("mi", Token).token("MI"),
            ]),
            a("withcoord", Token).token("WITHCOORD").opt(),
            a("withdist", Token).token("WITHDIST").opt(),
            a("withhash", Token).token("WITHHASH").opt(),
            a("count", Block).opt().sub(&[
                a("count", Int).token("COUNT"),
                a("any", Token).token("ANY").since("6.2.0").opt(),
            ]),
            a("order", OneOf).opt().sub(&[
                a("asc", Token).token("ASC"),
                a("desc", Token).token("DESC"),
            ]),
            a("key", Key).ks(1).token("STORE").opt(),
            a("key", Key).ks(2).token("STOREDIST").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "georadius_ro",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        doc_flags: DOC_DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`GEOSEARCH` with the `BYRADIUS` argument"),
        history: &[
            ("6.2.0", "`COUNT` takes the new `ANY` option."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("longitude", Double),
            a("latitude", Double),
            a("radius", Double),
            a("unit", OneOf).sub(&[
                a("m", Token).token("M"),
                a("km", Token).token("KM"),
                a("ft", Token).token("FT"),
                a("mi", Token).token("MI"),
            ]),
            a("withcoord", Token).token("WITHCOORD").opt(),
            a("withdist", Token).token("WITHDIST").opt(),
            a("withhash", Token).token("WITHHASH").opt(),
            a("count", Block).opt().sub(&[
                a("count", Int).token("COUNT"),
                a("any", Token).token("ANY").since("6.2.0").opt(),
            ]),
            a("order", OneOf).opt().sub(&[
                a("asc", Token).token("ASC"),
                a("desc", Token).token("DESC"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "georadiusbymember",
        key_specs: &[
            ks(RO | ACCESS, idx(1), range(0, 1, 0)),
            ks(OW | UPDATE, kw("STORE", 5), range(0, 1, 0)),
            ks(OW | UPDATE, kw("STOREDIST", 5), range(0, 1, 0)),
        ],
        doc_flags: DOC_DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments"),
        history: &[
            ("7.0.0", "Unit names may be upper case."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("member", Str),
            a("radius", Double),
            a("unit", OneOf).sub(&[
                a("m", Token).token("M"),
                a("km", Token).token("KM"),
                a("ft", Token).token("FT"),
                a("mi", Token).token("MI"),
            ]),
            a("withcoord", Token).token("WITHCOORD").opt(),
            a("withdist", Token).token("WITHDIST").opt(),
            a("withhash", Token).token("WITHHASH").opt(),
            a("count", Block).opt().sub(&[
                a("count", Int).token("COUNT"),
                a("any", Token).token("ANY").opt(),
            ]),
            a("order", OneOf).opt().sub(&[
                a("asc", Token).token("ASC"),
                a("desc", Token).token("DESC"),
            ]),
            a("key", Key).ks(1).token("STORE").opt(),
            a("key", Key).ks(2).token("STOREDIST").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "georadiusbymember_ro",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        doc_flags: DOC_DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments"),
        args: &[
            a("key", Key).ks(0),
            a("member", Str),
            a("radius", Double),
            a("unit", OneOf).sub(&[
                a("m", Token).token("M"),
                a("km", Token).token("KM"),
                a("ft", Token).token("FT"),
                a("mi", Token).token("MI"),
            ]),
            a("withcoord", Token).token("WITHCOORD").opt(),
            a("withdist", Token).token("WITHDIST").opt(),
            a("withhash", Token).token("WITHHASH").opt(),
            a("count", Block).opt().sub(&[
                a("count", Int).token("COUNT"),
                a("any", Token).token("ANY").opt(),
            ]),
            a("order", OneOf).opt().sub(&[
                a("asc", Token).token("ASC"),
                a("desc", Token).token("DESC"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "geosearch",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        history: &[
            ("7.0.0", "Unit names may be upper case."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("from", OneOf).sub(&[
                a("member", Str).token("FROMMEMBER"),
                a("longitude_latitude", Block).token("FROMLONLAT").sub(&[
                    a("longitude", Double),
                    a("latitude", Double),
                ]),
            ]),
            a("by", OneOf).sub(&[
                a("circle", Block).sub(&[
                    a("radius", Double).token("BYRADIUS"),
                    a("unit", OneOf).sub(&[
                        a("m", Token).token("M"),
                        a("km", Token).token("KM"),
                        a("ft", Token).token("FT"),
                        a("mi", Token).token("MI"),
                    ]),
                ]),
                a("box", Block).sub(&[
                    a("width", Double).token("BYBOX"),
                    a("height", Double),
                    a("unit", OneOf).sub(&[
                        a("m", Token).token("M"),
                        a("km", Token).token("KM"),
                        a("ft", Token).token("FT"),
                        a("mi", Token).token("MI"),
                    ]),
                ]),
            ]),
            a("order", OneOf).opt().sub(&[
                a("asc", Token).token("ASC"),
                a("desc", Token).token("DESC"),
            ]),
            a("count", Block).opt().sub(&[
                a("count", Int).token("COUNT"),
                a("any", Token).token("ANY").opt(),
            ]),
            a("withcoord", Token).token("WITHCOORD").opt(),
            a("withdist", Token).token("WITHDIST").opt(),
            a("withhash", Token).token("WITHHASH").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "geosearchstore",
        key_specs: &[
            ks(OW | UPDATE, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, idx(2), range(0, 1, 0)),
        ],
        history: &[
            ("7.0.0", "Unit names may be upper case."),
        ],
        args: &[
            a("destination", Key).ks(0),
            a("source", Key).ks(1),
            a("from", OneOf).sub(&[
                a("member", Str).token("FROMMEMBER"),
                a("longitude_latitude", Block).token("FROMLONLAT").sub(&[
                    a("longitude", Double),
                    a("latitude", Double),
                ]),
            ]),
            a("by", OneOf).sub(&[
                a("circle", Block).sub(&[
                    a("radius", Double).token("BYRADIUS"),
                    a("unit", OneOf).sub(&[
                        a("m", Token).token("M"),
                        a("km", Token).token("KM"),
                        a("ft", Token).token("FT"),
                        a("mi", Token).token("MI"),
                    ]),
                ]),
                a("box", Block).sub(&[
                    a("width", Double).token("BYBOX"),
                    a("height", Double),
                    a("unit", OneOf).sub(&[
                        a("m", Token).token("M"),
                        a("km", Token).token("KM"),
                        a("ft", Token).token("FT"),
                        a("mi", Token).token("MI"),
                    ]),
                ]),
            ]),
            a("order", OneOf).opt().sub(&[
                a("asc", Token).token("ASC"),
                a("desc", Token).token("DESC"),
            ]),
            a("count", Block).opt().sub(&[
                a("count", Int).token("COUNT"),
                a("any", Token).token("ANY").opt(),
            ]),
            a("storedist", Token).token("STOREDIST").opt(),
        ],
        ..EMPTY
    },
];
