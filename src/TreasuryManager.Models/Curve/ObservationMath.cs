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

/// <summary>
/// ObservationLib's reads over a pool's observations (oldest first, at most the ring's cardinality of them): observe,
/// consult, with the library's interpolation rules, bit for bit.
/// </summary>
public static class ObservationReads
{
    /// <summary>ObservationLib.observeSingle: the cumulatives at <paramref name="time"/> − <paramref name="secondsAgo"/>.</summary>
    /// <param name="observations">The ring's initialised observations, oldest first.</param>
    /// <param name="time">block.timestamp.</param>
    /// <param name="secondsAgo">How far back.</param>
    /// <param name="logPriceNow">The current log price (LogMath.LogPrice of the pool's price).</param>
    public static (BigInteger LogPriceCumulative, BigInteger SquaredReturnCumulative) ObserveSingle(IReadOnlyList<Observation> observations, long time, long secondsAgo, BigInteger logPriceNow)
    {
        ArgumentNullException.ThrowIfNull(observations);
        if (secondsAgo > time) throw new CurveMathException("InvalidSecondsAgo");
        var target = time - secondsAgo;
        var last = observations[^1];
        if (target >= last.BlockTimestamp)
        {
            if (target == last.BlockTimestamp) return (last.LogPriceCumulative, last.SquaredReturnCumulative);
            var t = ObservationMath.Transform(last, target, logPriceNow);
            return (t.LogPriceCumulative, t.SquaredReturnCumulative);
        }

        if (target < observations[0].BlockTimestamp) throw new CurveMathException("ObservationTooOld");
        for (var i = observations.Count - 2; i >= 0; i--)
        {
            var before = observations[i];
            if (before.BlockTimestamp > target) continue;
            if (before.BlockTimestamp == target) return (before.LogPriceCumulative, before.SquaredReturnCumulative);
            var after = observations[i + 1];
            if (after.BlockTimestamp == target) return (after.LogPriceCumulative, after.SquaredReturnCumulative);
            var c = ObservationMath.SignedWrap(before.LogPriceCumulative + ObservationMath.SignedWrap(after.LogPrice, 72) * (target - before.BlockTimestamp), 72);
            return (c, after.SquaredReturnCumulative);
        }

        throw new InvalidOperationException("observations are not in time order");
    }

    /// <summary>ManagedPool.consult(window): the mean log price over the window (truncated toward zero) and the sum of
    /// squared log returns in it.</summary>
    public static (BigInteger MeanLogPrice, BigInteger SquaredReturnSum) Consult(IReadOnlyList<Observation> observations, long time, long window, BigInteger logPriceNow)
    {
        ArgumentNullException.ThrowIfNull(observations);
        if (window == 0) throw new CurveMathException("InvalidSecondsAgo");
        var (cNow, qNow) = ObserveSingle(observations, time, 0, logPriceNow);
        var (cThen, qThen) = ObserveSingle(observations, time, window, logPriceNow);
        return (ObservationMath.SignedWrap(cNow - cThen, 72) / window, ObservationMath.UnsignedWrap(qNow - qThen, 80));
    }
}
