namespace ContrastiveLab.IO;

/// <summary>Element types ContrastiveLab reads from and writes to <c>.npy</c> files (all little-endian).</summary>
public enum NpyDType
{
    /// <summary><c>|u1</c>, unsigned 8-bit integer.</summary>
    UInt8,

    /// <summary><c>&lt;i2</c>, signed 16-bit integer.</summary>
    Int16,

    /// <summary><c>&lt;i4</c>, signed 32-bit integer.</summary>
    Int32,

    /// <summary><c>&lt;i8</c>, signed 64-bit integer.</summary>
    Int64,

    /// <summary><c>&lt;f4</c>, IEEE 754 single precision.</summary>
    Float32,

    /// <summary><c>&lt;f8</c>, IEEE 754 double precision.</summary>
    Float64,
}
