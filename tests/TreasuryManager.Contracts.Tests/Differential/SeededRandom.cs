using System.Numerics;

namespace TreasuryManager.Contracts.Tests.Differential;

/// <summary>
/// The seeded generator of the differential and invariant tests: reproducible runs (the seed is printed in every
/// failure; set TREASURY_DIFF_SEED to replay or explore another one), integers of every size with their edges.
/// </summary>
public sealed class SeededRandom(int seed)
{
    private readonly Random _random = new(seed);

    public int Seed { get; } = seed;

    /// <summary>The run's seed: TREASURY_DIFF_SEED if set, else the test's fixed default.</summary>
    public static int SeedFor(int defaultSeed) =>
        int.TryParse(Environment.GetEnvironmentVariable("TREASURY_DIFF_SEED"), out var s) ? s : defaultSeed;

    public int Int(int minInclusive, int maxExclusive) => _random.Next(minInclusive, maxExclusive);

    public bool Bool() => _random.Next(2) == 1;

    public bool Chance(double p) => _random.NextDouble() < p;

    public double Double() => _random.NextDouble();

    public T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    /// <summary>A uniformly random integer of exactly <paramref name="bits"/> bits (top bit set; 0 for 0 bits).</summary>
    public BigInteger Exactly(int bits)
    {
        if (bits <= 0) return BigInteger.Zero;
        var bytes = new byte[(bits + 7) / 8 + 1];
        _random.NextBytes(bytes);
        bytes[^1] = 0;
        var x = new BigInteger(bytes) & ((BigInteger.One << bits) - 1);
        return x | (BigInteger.One << (bits - 1));
    }

    /// <summary>A bit length uniform in [<paramref name="minBits"/>, <paramref name="maxBits"/>], then a random value of it
    /// (log-uniform magnitudes: small and huge numbers equally often).</summary>
    public BigInteger Bits(int minBits, int maxBits) => Exactly(_random.Next(minBits, maxBits + 1));

    /// <summary>Uniform in [0, max] (max ≥ 0).</summary>
    public BigInteger Below(BigInteger max)
    {
        if (max.Sign <= 0) return BigInteger.Zero;
        var bits = (int)max.GetBitLength();
        while (true)
        {
            var bytes = new byte[(bits + 7) / 8 + 1];
            _random.NextBytes(bytes);
            bytes[^1] = 0;
            var x = new BigInteger(bytes) & ((BigInteger.One << bits) - 1);
            if (x <= max) return x;
        }
    }

    /// <summary>A uintN: an edge value 15% of the time (0, 1, 2, 2^k ± 1 near the top, the max), else log-uniform.</summary>
    public BigInteger Uint(int n, int minBits = 0)
    {
        if (Chance(0.15))
        {
            var max = (BigInteger.One << n) - 1;
            return _random.Next(7) switch
            {
                0 => minBits == 0 ? BigInteger.Zero : BigInteger.One << minBits,
                1 => minBits == 0 ? BigInteger.One : (BigInteger.One << minBits) + 1,
                2 => max,
                3 => max - 1,
                4 => BigInteger.One << (n - 1),
                5 => (BigInteger.One << (n - 1)) - 1,
                _ => BigInteger.One << _random.Next(Math.Max(minBits, 1), n),
            };
        }

        return Bits(minBits, n);
    }

    /// <summary><paramref name="x"/> moved by a random relative amount (up to ±2^-k, k random in 1..60), clamped to [lo, hi].</summary>
    public BigInteger Near(BigInteger x, BigInteger lo, BigInteger hi)
    {
        var shift = _random.Next(1, 61);
        var delta = Below(x >> shift) + (Chance(0.2) ? Below(3) : BigInteger.Zero);
        var y = Bool() ? x + delta : x - delta;
        return BigInteger.Clamp(y, lo, hi);
    }
}
