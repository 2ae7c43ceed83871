"""The rehearsal's steps, one concept per file. Each is a coroutine taking the rehearsal's
`Context` and returning its one-line detail; it raises AssertionError naming what it expected
and what it read instead."""
