using ContrastiveLab.Augmentation;

namespace ContrastiveLab.Tests.Augmentation;

public class AugmentedLoaderTests
{
    private static List<AugmentedBatch> Collect(int workers, int epoch = 0, int batchSize = 16)
    {
        var source = new ArrayImageSource(50, 3, 32, 32);
        var loader = new AugmentedLoader(source, new AugmentationPipeline(AugmentationPresets.CifarPaper), batchSize, 2, seed: 11, workers: workers);
        return loader.Epoch(epoch).ToList();
    }

    [Fact]
    public void The_same_seed_gives_identical_batches_whatever_the_worker_count()
    {
        var one = Collect(1);
        var three = Collect(3);
        Assert.Equal(one.Count, three.Count);
        for (int b = 0; b < one.Count; b++)
        {
            Assert.Equal(one[b].Indices, three[b].Indices);
            Assert.Equal(one[b].Views[0], three[b].Views[0]);
            Assert.Equal(one[b].Views[1], three[b].Views[1]);
        }
    }

    [Fact]
    public void A_disposed_batch_lends_its_buffers_to_later_batches_without_changing_them()
    {
        var kept = Collect(2, batchSize: 5);
        var source = new ArrayImageSource(50, 3, 32, 32);
        var loader = new AugmentedLoader(source, new AugmentationPipeline(AugmentationPresets.CifarPaper), 5, 2, seed: 11, workers: 2, prefetch: 1);
        var seen = new HashSet<float[]>(ReferenceEqualityComparer.Instance);
        int b = 0, reused = 0;
        foreach (var batch in loader.Epoch(0))
        {
            Assert.Equal(kept[b].Indices, batch.Indices);
            Assert.Equal(kept[b].Views[0], batch.Views[0]);
            Assert.Equal(kept[b].Views[1], batch.Views[1]);
            reused += batch.Views.Count(v => !seen.Add(v));
            batch.Dispose();
            batch.Dispose(); // a second dispose hands nothing back twice
            b++;
        }
        Assert.Equal(kept.Count, b);
        // Ten full batches, at most three alive at once (the consumer's, one prefetched, one being made): the producer
        // starts batch 3 only after the consumer has taken batch 1, i.e. after batch 0 was disposed, so from batch 3 on
        // a batch is made in buffers handed back.
        Assert.True(reused >= 14, $"{reused} view buffers reused");
    }

    [Fact]
    public void Batches_of_a_quarter_gigabyte_or_more_are_prefetched_one_ahead_else_two()
    {
        var source = new ArrayImageSource(300, 3, 8, 8);
        var imagenet = new AugmentationPipeline(AugmentationPresets.ImageNet100);
        // 256 views of 3×224×224 floats: 154 MB with one view an image, 308 MB with two.
        Assert.Equal(2, new AugmentedLoader(source, imagenet, 256, 1, seed: 1).Prefetch);
        Assert.Equal(1, new AugmentedLoader(source, imagenet, 256, 2, seed: 1).Prefetch);
        Assert.Equal(3, new AugmentedLoader(source, imagenet, 256, 2, seed: 1, prefetch: 3).Prefetch);
    }

    [Fact]
    public void An_epoch_visits_every_image_once_and_epochs_differ()
    {
        var e0 = Collect(2, epoch: 0);
        var e1 = Collect(2, epoch: 1);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), e0.SelectMany(b => b.Indices).Order());
        Assert.Equal(new[] { 16, 16, 16, 2 }, e0.Select(b => b.Count));
        Assert.NotEqual(e0[0].Indices, e1[0].Indices);
        Assert.NotEqual(e0[0].Views[0], e0[0].Views[1]);
    }

    [Fact]
    public void Resuming_at_a_batch_yields_the_same_remaining_batches()
    {
        var source = new ArrayImageSource(40, 1, 28, 28);
        var loader = new AugmentedLoader(source, new AugmentationPipeline(AugmentationPresets.FashionMnist), 8, 1, seed: 3, dropLast: true);
        var full = loader.Epoch(2).ToList();
        var rest = loader.Epoch(2, firstBatch: 3).ToList();
        Assert.Equal(2, rest.Count);
        Assert.Equal(full[3].Views[0], rest[0].Views[0]);
        Assert.Equal(full[4].Indices, rest[1].Indices);
    }

    [Fact]
    public void Stopping_early_ends_the_background_producer()
    {
        var source = new ArrayImageSource(200, 1, 28, 28);
        var loader = new AugmentedLoader(source, new AugmentationPipeline(AugmentationPresets.FashionMnist), 4, 1, seed: 3, prefetch: 1);
        var first = loader.Epoch(0).Take(2).ToList();
        Assert.Equal(2, first.Count);
    }
}
