using ContrastiveLab.Core.Losses;
using ContrastiveLab.Models;

namespace ContrastiveLab.Training.Sources;

/// <summary>
/// <c>memory-bank</c>: one view per image; the positive is the anchor's bank entry, the negatives the other N − 1
/// entries; after the optimiser step the batch's bank rows move towards the detached embeddings.
/// </summary>
public sealed class MemoryBankSource(MemoryBank bank, bool initialiseFromEncoder) : INegativeSource
{
    /// <summary>The bank's checkpoint file.</summary>
    public const string BankFile = "bank.bin";

    /// <summary>The registry's entry.</summary>
    public static NegativeSourceInfo Info { get; } = new("memory-bank", 1, 1, (_, trainImages) => trainImages - 1,
        c => new MemoryBankSource(new MemoryBank(c.TrainCount, c.Config.EmbeddingDim, c.Config.BankMomentum, c.Generator, c.Device), c.Config.BankInit == "encoder"));

    /// <summary>The bank: one embedding per training image.</summary>
    public MemoryBank Bank { get; } = bank;

    /// <inheritdoc/>
    public Tensor? TrainingEmbeddings => Bank.Entries;

    /// <inheritdoc/>
    public bool InitialisesFromEncoder { get; } = initialiseFromEncoder;

    /// <inheritdoc/>
    public Tensor Step(ContrastiveEncoder model, IContrastiveLoss loss, Tensor indices, Tensor view1, Tensor? view2, Action<Tensor> optimise)
    {
        var z = model.forward(view1);
        var value = loss.Forward(z, Bank.Gather(indices), Negatives.Shared(Bank.Entries, indices));
        optimise(value);
        Bank.Update(indices, z.detach());
        return value;
    }

    /// <inheritdoc/>
    public void Initialise(Tensor trainEmbeddings) => Bank.Load(trainEmbeddings);

    /// <inheritdoc/>
    public void Save(CheckpointFiles files) => files.WriteTensor(BankFile, Bank.Entries);

    /// <inheritdoc/>
    public void Restore(CheckpointFiles files)
    {
        using var saved = files.ReadTensor(BankFile);
        Bank.Load(saved);
    }

    /// <inheritdoc/>
    public void Dispose() => Bank.Dispose();
}
