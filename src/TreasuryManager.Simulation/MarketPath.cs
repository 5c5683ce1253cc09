using TreasuryManager.Models.Reproduction;

namespace TreasuryManager.Simulation;

/// <summary>A noise trader's arrival: when, which side, how much (quote value), and the uniform that decides, against
/// the pool's fee, whether the trader goes through with it (thinning: accept when u &lt; e^(−k·fee)).</summary>
public readonly record struct NoiseArrival(int Step, bool BuysBase, double SizeQuote, double Accept);

/// <summary>An informed trader's arrival: when, and how much (quote value); the side comes from the reference price it knows.</summary>
public readonly record struct InformedArrival(int Step, double SizeQuote);

/// <summary>
/// Everything exogenous about one path, drawn from the scenario and the path's seed before any strategy runs: the
/// reference price, the gas price, the oracle's posts, and the noise and informed arrivals (independent RNG streams,
/// <see cref="Xoshiro256.Derive"/>). Every strategy replays the same path, so their differences are theirs alone;
/// the arrivals' decisions (go ahead at this fee? which side?) are taken against the venue's state when replayed.
/// Step t covers (t−1, t]; index 0 is the start.
/// </summary>
public sealed class MarketPath
{
    public const long StartTimestamp = 1_800_000_000;

    public required Scenario Scenario { get; init; }
    public required ulong Seed { get; init; }

    /// <summary>Reference price after step t (t = 0..Steps).</summary>
    public required double[] Reference { get; init; }

    /// <summary>Gas price in gwei during step t.</summary>
    public required double[] GasGwei { get; init; }

    /// <summary>The oracle's latest price, its time and its volatility (annualised) as of step t.</summary>
    public required double[] OraclePrice { get; init; }
    public required long[] OracleUpdatedAt { get; init; }
    public required double[] OracleVolatilityAnnual { get; init; }

    public required NoiseArrival[] Noise { get; init; }

    /// <summary>Noise[NoiseStart[t] .. NoiseStart[t+1]) arrive in step t.</summary>
    public required int[] NoiseStart { get; init; }

    public required InformedArrival[] Informed { get; init; }
    public required int[] InformedStart { get; init; }

    /// <summary>Fair market: one uniform per noise arrival (its own stream, 5), the order is captive to the pool when it
    /// is below <c>venue.captive_share</c>; null without an outside venue (so the other streams are unchanged).</summary>
    public double[]? NoiseCaptive { get; init; }

    public int Steps => Scenario.Steps;

    public long Timestamp(int step) => StartTimestamp + (long)Math.Round(step * Scenario.StepSeconds);

    /// <summary>The price the informed trader arriving at <paramref name="step"/> knows: the reference its horizon ahead.</summary>
    public double InformedTarget(int step) => Reference[Math.Min(Steps, step + Scenario.Informed.HorizonSteps)];

    public static MarketPath Generate(Scenario scenario, ulong seed) => Generate(scenario, seed, null);

    /// <summary>A path whose reference price is <paramref name="givenReference"/> (Steps + 1 prices, e.g. a real price
    /// file) instead of the scenario's price process; everything else is drawn as usual.</summary>
    public static MarketPath Generate(Scenario scenario, ulong seed, double[]? givenReference)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var n = scenario.Steps;
        var dt = scenario.Dt;
        if (givenReference is not null && givenReference.Length != n + 1)
            throw new ArgumentException($"the reference has {givenReference.Length} prices; the scenario's {n} steps need {n + 1}", nameof(givenReference));
        var reference = givenReference ?? PriceProcesses.Path(scenario.Price, n, dt, new Xoshiro256(Xoshiro256.Derive(seed, 1)));
        var gas = GasPath(scenario.Gas, n, dt, new Xoshiro256(Xoshiro256.Derive(seed, 2)));
        var (oracle, updated, vol) = OraclePosts(scenario, reference);

        // Noise: a Poisson process at the zero-fee rate A (thinned by e^(−k·fee) when replayed).
        var noise = new List<NoiseArrival>();
        var rng = new Xoshiro256(Xoshiro256.Derive(seed, 3));
        var nf = scenario.Noise;
        foreach (var step in Arrivals(nf.ArrivalsPerDay, 0, n, dt, ref rng))
        {
            var buys = rng.NextDouble() < 0.5;
            var size = nf.MedianSizeQuote * Math.Exp(nf.SizeLogStd * rng.NextGaussian());
            noise.Add(new NoiseArrival(step, buys, size, rng.NextDouble()));
        }

        var informed = new List<InformedArrival>();
        var irng = new Xoshiro256(Xoshiro256.Derive(seed, 4));
        var inf = scenario.Informed;
        foreach (var step in Arrivals(inf.ArrivalsPerDay, 0, n, dt, ref irng)) informed.Add(new InformedArrival(step, inf.SizeQuote));
        if (scenario.Price.ShockStep > 0 && inf.BeforeShockArrivalsPerDay > 0 && inf.BeforeShockSteps > 0)
        {
            var from = Math.Max(0, scenario.Price.ShockStep - inf.BeforeShockSteps);
            foreach (var step in Arrivals(inf.BeforeShockArrivalsPerDay, from, scenario.Price.ShockStep, dt, ref irng))
                informed.Add(new InformedArrival(step, inf.SizeQuote));
            informed.Sort((a, b) => a.Step.CompareTo(b.Step)); // stable enough: equal steps carry equal sizes
        }

        double[]? captive = null;
        if (scenario.Venue.Enabled)
        {
            var crng = new Xoshiro256(Xoshiro256.Derive(seed, 5));
            captive = new double[noise.Count];
            for (var i = 0; i < captive.Length; i++) captive[i] = crng.NextDouble();
        }

        return new MarketPath
        {
            Scenario = scenario, Seed = seed, Reference = reference, GasGwei = gas, NoiseCaptive = captive,
            OraclePrice = oracle, OracleUpdatedAt = updated, OracleVolatilityAnnual = vol,
            Noise = [.. noise], NoiseStart = Starts(noise, a => a.Step, n),
            Informed = [.. informed], InformedStart = Starts(informed, a => a.Step, n),
        };
    }

    /// <summary>Steps (in 1..n, after <paramref name="fromStep"/>, up to <paramref name="toStep"/>) of a Poisson process of <paramref name="perDay"/> arrivals per day.</summary>
    private static List<int> Arrivals(double perDay, int fromStep, int toStep, double dt, ref Xoshiro256 rng)
    {
        var steps = new List<int>();
        if (perDay <= 0) return steps;
        var t = fromStep * dt;
        var end = toStep * dt;
        while (true)
        {
            t += -Math.Log(1.0 - rng.NextDouble()) / perDay;
            if (t >= end) break;
            steps.Add(Math.Min(toStep, (int)Math.Floor(t / dt) + 1));
        }
        return steps;
    }

    private static int[] Starts<T>(List<T> events, Func<T, int> step, int n)
    {
        var starts = new int[n + 2];
        var i = 0;
        for (var t = 0; t <= n + 1; t++)
        {
            while (i < events.Count && step(events[i]) < t) i++;
            starts[t] = i;
        }
        return starts;
    }

    /// <summary>ln g follows an Ornstein–Uhlenbeck process around ln(mean) (exact discretisation).</summary>
    internal static double[] GasPath(GasProcess g, int n, double dt, Xoshiro256 rng)
    {
        var path = new double[n + 1];
        var mean = Math.Log(g.MeanGwei);
        var x = mean;
        var decay = Math.Exp(-g.ReversionPerDay * dt);
        var sd = g.ReversionPerDay > 0
            ? g.LogVolatilityPerDay * Math.Sqrt((1 - decay * decay) / (2 * g.ReversionPerDay))
            : g.LogVolatilityPerDay * Math.Sqrt(dt);
        path[0] = g.MeanGwei;
        for (var t = 1; t <= n; t++)
        {
            x = mean + (x - mean) * decay + sd * rng.NextGaussian();
            path[t] = Math.Exp(x);
        }
        return path;
    }

    /// <summary>The reporter: posts the reference when it moved past the deviation threshold, or before the heartbeat
    /// would lapse; with each post, its EWMA volatility of the reference, annualised (× √365).</summary>
    private static (double[] Price, long[] UpdatedAt, double[] Volatility) OraclePosts(Scenario s, double[] reference)
    {
        var n = s.Steps;
        var o = s.Oracle;
        var price = new double[n + 1];
        var at = new long[n + 1];
        var vol = new double[n + 1];
        var alpha = -double.ExpM1(-s.Dt / o.VolatilitySmoothingDays);
        var variance = Math.Max(s.Price.VolatilityPerDay * s.Price.VolatilityPerDay, 1e-8);
        double last = reference[0];
        long lastAt = StartTimestamp;
        var lastVol = Math.Sqrt(variance * 365);
        price[0] = last;
        at[0] = lastAt;
        vol[0] = lastVol;
        for (var t = 1; t <= n; t++)
        {
            var r = Math.Log(reference[t] / reference[t - 1]);
            variance = (1 - alpha) * variance + alpha * r * r / s.Dt;
            var now = StartTimestamp + (long)Math.Round(t * s.StepSeconds);
            if (Math.Abs(reference[t] / last - 1) * 10_000 >= o.DeviationBps || now + s.StepSeconds - lastAt > o.HeartbeatSeconds)
            {
                last = reference[t];
                lastAt = now;
                lastVol = Math.Sqrt(variance * 365);
            }
            price[t] = last;
            at[t] = lastAt;
            vol[t] = lastVol;
        }
        return (price, at, vol);
    }
}

/// <summary>The reference price processes (log-price increments per step of length dt days).</summary>
public static class PriceProcesses
{
    public static double[] Path(PriceProcess p, int n, double dt, Xoshiro256 rng)
    {
        var path = new double[n + 1];
        var logS = Math.Log(p.Initial);
        path[0] = p.Initial;
        var high = false;
        var sqrtDt = Math.Sqrt(dt);
        for (var t = 1; t <= n; t++)
        {
            var sigma = p.VolatilityPerDay;
            if (p.Model == PriceModel.RegimeSwitching)
            {
                // two-state Markov chain, switching with probability 1 − e^(−rate·dt) per step
                var rate = high ? p.ToLowPerDay : p.ToHighPerDay;
                if (rng.NextDouble() < -double.ExpM1(-rate * dt)) high = !high;
                sigma = high ? p.HighVolatilityPerDay : p.VolatilityPerDay;
            }
            var dlog = (p.DriftPerDay - 0.5 * sigma * sigma) * dt + sigma * sqrtDt * rng.NextGaussian();
            if (p.Model == PriceModel.JumpDiffusion && p.JumpsPerDay > 0)
            {
                var jumps = Poisson(p.JumpsPerDay * dt, ref rng);
                for (var j = 0; j < jumps; j++) dlog += p.JumpMean + p.JumpStd * rng.NextGaussian();
            }
            if (p.ShockStep > 0 && t == p.ShockStep) dlog += p.ShockLog;
            logS += dlog;
            path[t] = Math.Exp(logS);
        }
        return path;
    }

    /// <summary>Poisson(mean) by Knuth's product of uniforms (means per step are small).</summary>
    internal static int Poisson(double mean, ref Xoshiro256 rng)
    {
        if (mean <= 0) return 0;
        if (mean > 500) throw new ArgumentOutOfRangeException(nameof(mean), mean, "too many jumps per step; use a shorter step");
        var limit = Math.Exp(-mean);
        var k = 0;
        var prod = rng.NextDouble();
        while (prod > limit)
        {
            k++;
            prod *= rng.NextDouble();
        }
        return k;
    }
}
