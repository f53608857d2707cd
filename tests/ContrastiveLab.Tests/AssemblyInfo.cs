// libtorch has one global random generator. Code under test seeds it and draws from it (model and classifier
// initialisation), and several tests check that two runs give identical numbers; tests running in parallel would
// draw from the same generator in between and make those checks flaky. So test classes run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
