using System.Buffers.Binary;
using System.Text;
using CsCheck;

namespace ContrastiveLab.Tests.Fuzz;

/// <summary>One edit of a file's bytes; <see cref="Kind"/> picks the edit, the other fields parameterise it.</summary>
/// <param name="Kind">0 flip bytes, 1 truncate, 2 extend, 3 write an extreme integer, 4 overwrite with random bytes,
/// 5 replace a run of ASCII digits with an extreme number, 6 delete a chunk, 7 insert random bytes, 8 random file.</param>
/// <param name="Where">Position selector (taken modulo the length).</param>
/// <param name="Size">Size selector.</param>
/// <param name="Value">Value selector and seed of the edit's own choices.</param>
/// <param name="Bytes">Random bytes the edit may insert.</param>
internal sealed record MutationOp(int Kind, uint Where, uint Size, ulong Value, byte[] Bytes)
{
    public const int Kinds = 9;

    /// <summary>Extreme integers that header fields are edited to: zero, one, signs and the edges of each width.</summary>
    private static readonly long[] Interesting =
        [0, 1, -1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0xFFFF, 0x10000, int.MaxValue, int.MinValue, 0xFFFFFFFFL, 1L << 32, long.MaxValue, long.MinValue, 1_000_000, 60_000];

    private static readonly string[] Numbers =
        ["0", "-1", "1", "99999999999999999999999", "9223372036854775807", "9223372036854775808", "4294967296", "2147483648", "1e308", "1e-400", "NaN", "-0", "00", "1.5", ""];

    public byte[] Apply(byte[] data)
    {
        var random = new Random(unchecked((int)Value ^ (int)(Value >> 32)));
        int len = data.Length;
        switch (Kind)
        {
            case 0:
            {
                if (len == 0)
                {
                    return data;
                }
                var copy = (byte[])data.Clone();
                int flips = 1 + (int)(Size % 8);
                bool header = (Size & 0x100) == 0;
                for (int i = 0; i < flips; i++)
                {
                    int at = header ? random.Next(Math.Min(len, 512)) : random.Next(len);
                    copy[at] ^= (byte)(1 << random.Next(8));
                }
                return copy;
            }
            case 1:
                return data[..(int)(Where % (uint)(len + 1))];
            case 2:
                return [.. data, .. Bytes, .. new byte[Size % 4096]];
            case 3:
            {
                int width = 1 << (int)(Size % 4);
                if (len < width)
                {
                    return data;
                }
                bool header = (Size & 0x10) == 0;
                int range = (header ? Math.Min(len, 256) : len) - width + 1;
                int at = (int)(Where % (uint)Math.Max(1, range));
                long v = (Size & 0x20) == 0 ? Interesting[Value % (ulong)Interesting.Length] : (long)Value;
                var copy = (byte[])data.Clone();
                Span<byte> field = copy.AsSpan(at, width);
                bool big = (Size & 0x40) != 0;
                switch (width)
                {
                    case 1: field[0] = (byte)v; break;
                    case 2: if (big) { BinaryPrimitives.WriteInt16BigEndian(field, (short)v); } else { BinaryPrimitives.WriteInt16LittleEndian(field, (short)v); } break;
                    case 4: if (big) { BinaryPrimitives.WriteInt32BigEndian(field, (int)v); } else { BinaryPrimitives.WriteInt32LittleEndian(field, (int)v); } break;
                    default: if (big) { BinaryPrimitives.WriteInt64BigEndian(field, v); } else { BinaryPrimitives.WriteInt64LittleEndian(field, v); } break;
                }
                return copy;
            }
            case 4:
            {
                if (len == 0 || Bytes.Length == 0)
                {
                    return data;
                }
                var copy = (byte[])data.Clone();
                int at = (int)(Where % (uint)len);
                int n = Math.Min(Bytes.Length, len - at);
                Bytes.AsSpan(0, n).CopyTo(copy.AsSpan(at));
                return copy;
            }
            case 5:
            {
                var runs = new List<(int Start, int End)>();
                for (int i = 0; i < len && runs.Count < 4096; i++)
                {
                    if (data[i] is >= (byte)'0' and <= (byte)'9')
                    {
                        int start = i;
                        while (i < len && data[i] is >= (byte)'0' and <= (byte)'9')
                        {
                            i++;
                        }
                        runs.Add((start, i));
                    }
                }
                if (runs.Count == 0)
                {
                    return data;
                }
                var (s, e) = runs[(int)(Where % (uint)runs.Count)];
                byte[] number = Encoding.ASCII.GetBytes(Numbers[Value % (ulong)Numbers.Length]);
                return [.. data.AsSpan(0, s), .. number, .. data.AsSpan(e)];
            }
            case 6:
            {
                if (len == 0)
                {
                    return data;
                }
                int at = (int)(Where % (uint)len);
                int n = (int)Math.Min(1 + (Size % 64), (uint)(len - at));
                return [.. data.AsSpan(0, at), .. data.AsSpan(at + n)];
            }
            case 7:
            {
                int at = (int)(Where % (uint)(len + 1));
                return [.. data.AsSpan(0, at), .. Bytes, .. data.AsSpan(at)];
            }
            default:
                return Bytes;
        }
    }

    public override string ToString() =>
        $"{(Kind switch { 0 => "flip", 1 => "truncate", 2 => "extend", 3 => "int", 4 => "overwrite", 5 => "digits", 6 => "delete", 7 => "insert", _ => "random" })}(where {Where}, size {Size}, value {Value}, {Bytes.Length} bytes)";
}

/// <summary>A fuzz case: which seed file, the edits applied to it in order, and whether they hit the compressed bytes.</summary>
internal sealed record FuzzCase(int Seed, MutationOp[] Ops, bool Outer)
{
    public static Gen<FuzzCase> Gen { get; } =
        CsCheck.Gen.Select(
            CsCheck.Gen.Int[0, 1_000_000],
            CsCheck.Gen.Select(CsCheck.Gen.Int[0, MutationOp.Kinds - 1], CsCheck.Gen.UInt, CsCheck.Gen.UInt, CsCheck.Gen.ULong, CsCheck.Gen.Byte.Array[0, 64],
                (k, w, s, v, b) => new MutationOp(k, w, s, v, b)).Array[1, 3],
            CsCheck.Gen.Int[0, 3],
            (seed, ops, outer) => new FuzzCase(seed, ops, outer == 0));

    public override string ToString() => $"seed {Seed}{(Outer ? " (compressed bytes)" : "")}: {string.Join(", ", Ops.Select(o => o.ToString()))}";
}
