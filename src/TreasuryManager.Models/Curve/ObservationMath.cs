using System.Numerics;

namespace TreasuryManager.Models.Curve;

/// <summary>One ManagedPool observation (contracts/libraries/ObservationLib.sol).</summary>
/// <param name="BlockTimestamp">t_i.</param>
/// <param name="SecondsSincePrevious">min(t_i − t_{i−1}, 2^24 − 1); 0 for the first observation.</param>
/// <param name="LogPrice">The log price (<see cref="LogMath.LogPrice"/>) that held on (t_{i−1}, t_i].</param>
/// <param name="LogPriceCumulative">Σ logPrice·dt, wrapping as int72.</param>
/// <param name="SquaredReturnCumulative">Σ (logPrice_i − logPrice_{i−1})², wrapping as uint80.</param>
public sealed record Observation(
    long BlockTimestamp,
    long SecondsSincePrevious,
    BigInteger LogPrice,
    BigInteger LogPriceCumulative,
    BigInteger SquaredReturnCumulative);

/// <summary>ObservationLib's arithmetic, bit for bit (its unchecked int72 / uint80 wrapping included).</summary>
public static class ObservationMath
{
    private const long MaxGap = (1 << 24) - 1;

    /// <summary>The first observation (ObservationLib.initialize).</summary>
    public static Observation Initialize(long time, BigInteger logPrice) =>
        new(time, 0, SignedWrap(logPrice, 40), 0, 0);

    /// <summary>ObservationLib.transform: the observation <paramref name="last"/> becomes at <paramref name="time"/>
    /// with the log price <paramref name="logPrice"/> held since it.</summary>
    public static Observation Transform(Observation last, long time, BigInteger logPrice)
    {
        ArgumentNullException.ThrowIfNull(last);
        var dt = (time - last.BlockTimestamp) & 0xFFFFFFFFL; // uint32 arithmetic
        var r = logPrice - last.LogPrice;
        return new Observation(
            time,
            Math.Min(dt, MaxGap),
            SignedWrap(logPrice, 40),
            SignedWrap(last.LogPriceCumulative + SignedWrap(logPrice, 72) * dt, 72),
            UnsignedWrap(last.SquaredReturnCumulative + UnsignedWrap(r * r, 80), 80));
    }

    /// <summary>ObservationLib.write for the newest observation: a new one unless one was written at
    /// <paramref name="time"/> already; <paramref name="sqrtPriceX96"/> is the price that held until now.</summary>
    public static Observation Write(Observation last, long time, BigInteger sqrtPriceX96)
    {
        ArgumentNullException.ThrowIfNull(last);
        return last.BlockTimestamp == time ? last : Transform(last, time, LogMath.LogPrice(sqrtPriceX96));
    }

    /// <summary>x as a two's-complement integer of <paramref name="bits"/> bits.</summary>
    public static BigInteger SignedWrap(BigInteger x, int bits)
    {
        var m = BigInteger.One << bits;
        var r = ((x % m) + m) % m;
        return r >= m >> 1 ? r - m : r;
    }

    /// <summary>x mod 2^bits.</summary>
    public static BigInteger UnsignedWrap(BigInteger x, int bits)
    {
        var m = BigInteger.One << bits;
        return ((x % m) + m) % m;
    }
}
