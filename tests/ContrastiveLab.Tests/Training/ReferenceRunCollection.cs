namespace ContrastiveLab.Tests.Training;

/// <summary>Test classes that share one <see cref="ReferenceRunFixture"/> (the tiny run is made once).</summary>
[CollectionDefinition(Name)]
public sealed class ReferenceRunCollection : ICollectionFixture<ReferenceRunFixture>
{
    public const string Name = "reference run";
}
