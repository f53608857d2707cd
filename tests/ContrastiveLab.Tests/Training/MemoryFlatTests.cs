namespace ContrastiveLab.Tests.Training;

/// <summary>Training must not accumulate tensors: the live count on the training thread is the same after every epoch.</summary>
[Collection(ReferenceRunCollection.Name)]
public sealed class MemoryFlatTests(ReferenceRunFixture reference)
{
    [Fact]
    public void The_number_of_live_tensors_is_the_same_after_every_epoch()
    {
        var live = reference.LiveTensorsAfterEpoch;
        Assert.Equal(ReferenceRunFixture.Config.Epochs, live.Count);
        // Epoch 1 creates the optimiser's momentum buffers; from then on, 6 steps and one evaluation per epoch
        // must leave nothing behind (one leaked tensor per step would add 6 per epoch).
        Assert.All(live, n => Assert.Equal(live[0], n));
    }
}
