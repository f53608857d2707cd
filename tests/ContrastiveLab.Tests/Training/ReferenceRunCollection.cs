namespace ContrastiveLab.Tests.Training;

/// <summary>Test classes that share one <see cref="ReferenceRunFixture"/> (the tiny run is made once).</summary>
// Not run in parallel with anything: the trainer seeds libtorch's global generator before building the model, so a
// test elsewhere drawing from that generator at the same moment would change the initial weights and break the
// exact-equality checks of resumed runs.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReferenceRunCollection : ICollectionFixture<ReferenceRunFixture>
{
    public const string Name = "reference run";
}
