using System.Globalization;
using System.IO.Compression;
using TreasuryManager.Models.Curve;
using TreasuryManager.Models.Reproduction;

namespace TreasuryManager.Simulation;

/// <summary>The real price files <c>treasury backtest --prices</c> replays.</summary>
public enum PriceFileFormat
{
    /// <summary>Binance spot OHLCV: <c>date,open,high,low,close,volume</c>, one bar per row at a fixed interval (e.g. 1 h).</summary>
    Binance,
    /// <summary>Uniswap v3 per-minute pool data: <c>timestamp,netAmount0,netAmount1,closeTick,openTick,lowestTick,highestTick,inAmount0,inAmount1,currentLiquidity</c>.</summary>
    UniswapMinute,
}

/// <summary>A price file that cannot be used; <see cref="Exception.Message"/> is one line naming the file and row.</summary>
public sealed class PriceFileException(string message) : Exception(message);

/// <summary>One OHLC bar (open time, UTC).</summary>
public readonly record struct OhlcBar(DateTime Time, double Open, double High, double Low, double Close);

/// <summary>One minute of a Uniswap v3 pool: ticks, gross amounts swapped in (raw token units), active liquidity (raw).</summary>
public readonly record struct PoolMinute(DateTime Time, int CloseTick, int OpenTick, int LowestTick, int HighestTick, double InAmount0, double InAmount1, double Liquidity);

/// <summary>How to read a Uniswap v3 pool's ticks and amounts: the tokens' decimals, which token is the base, and the pool's fee.</summary>
public sealed record UniswapPoolInfo(int Decimals0 = 6, int Decimals1 = 18, int BaseToken = 1, int FeePips = 500)
{
    /// <summary>The base's price in quote (human units) at a tick: token1 per token0 is 1.0001^tick in raw units.</summary>
    public double Price(double tick)
    {
        var token1PerToken0 = Math.Pow(1.0001, tick) * Math.Pow(10, Decimals0 - Decimals1);
        return BaseToken == 1 ? 1 / token1PerToken0 : token1PerToken0;
    }

    /// <summary>The pool's raw liquidity in human units (L = √(x·y) scales with √(10^d0 · 10^d1)).</summary>
    public double HumanLiquidity(double raw) => raw / Math.Pow(10, (Decimals0 + Decimals1) / 2.0);

    public void Validate()
    {
        if (Decimals0 is < 0 or > 36 || Decimals1 is < 0 or > 36) throw new PriceFileException($"token decimals must lie in [0, 36] (got {Decimals0}, {Decimals1})");
        if (BaseToken is not (0 or 1)) throw new PriceFileException($"the base token must be 0 or 1 (got {BaseToken})");
        if (FeePips is < 0 or >= 1_000_000) throw new PriceFileException($"the pool fee must lie in [0, 1000000) pips (got {FeePips})");
    }
}

/// <summary>
/// Loads the real price files (gzip or plain CSV with a header row). Every row is checked: a bad value or a gap
/// (a timestamp that is not one interval after the previous) throws <see cref="PriceFileException"/> naming the row
/// (row 1 is the header). The only I/O of the simulator is here, in <see cref="Open"/>.
/// </summary>
public static class PriceFiles
{
    public const string BinanceHeader = "date,open,high,low,close,volume";
    public const string UniswapMinuteHeader = "timestamp,netAmount0,netAmount1,closeTick,openTick,lowestTick,highestTick,inAmount0,inAmount1,currentLiquidity";

    private static readonly CultureInfo Ic = CultureInfo.InvariantCulture;
    private static readonly string[] TimeFormats = ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-dd HH:mm:ss+00:00"];

    /// <summary>A reader over the file, decompressing gzip (recognised by its magic bytes).</summary>
    public static TextReader Open(string file)
    {
        var stream = File.OpenRead(file);
        var b0 = stream.ReadByte();
        var b1 = stream.ReadByte();
        stream.Position = 0;
        return b0 == 0x1f && b1 == 0x8b ? new StreamReader(new GZipStream(stream, CompressionMode.Decompress)) : new StreamReader(stream);
    }

    /// <summary>The format named by the file's header row (null: neither).</summary>
    public static PriceFileFormat? Detect(string header) =>
        Normalise(header) switch
        {
            BinanceHeader => PriceFileFormat.Binance,
            UniswapMinuteHeader => PriceFileFormat.UniswapMinute,
            _ => null,
        };

    private static string Normalise(string header) => header.Trim().TrimStart('\uFEFF').Replace(" ", "", StringComparison.Ordinal);

    /// <summary>Reads the header and checks it against <paramref name="format"/> (or detects the format).</summary>
    public static PriceFileFormat ReadHeader(TextReader reader, string source, PriceFileFormat? format)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var header = reader.ReadLine() ?? throw new PriceFileException($"{source} row 1: the file is empty (expected a header row)");
        var detected = Detect(header);
        if (detected is null || (format is { } f && f != detected))
        {
            var expected = format switch
            {
                PriceFileFormat.Binance => $"binance ({BinanceHeader})",
                PriceFileFormat.UniswapMinute => $"uniswap-minute ({UniswapMinuteHeader})",
                _ => $"binance ({BinanceHeader}) or uniswap-minute ({UniswapMinuteHeader})",
            };
            throw new PriceFileException($"{source} row 1: the header '{Shorten(header)}' is not {expected}");
        }
        return detected.Value;
    }

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";

    /// <summary>Binance OHLCV bars (after the header). The interval is the first two rows' distance; every later row must follow at it.</summary>
    /// <param name="fillGaps">Instead of refusing a gap, fill each missing interval with a flat bar at the previous close (counted in <paramref name="filled"/>).</param>
    public static IReadOnlyList<OhlcBar> ReadBinance(TextReader reader, string source, bool fillGaps, out int filled)
    {
        filled = 0;
        ArgumentNullException.ThrowIfNull(reader);
        var bars = new List<OhlcBar>();
        var row = 1;
        TimeSpan? interval = null;
        while (reader.ReadLine() is { } line)
        {
            row++;
            if (line.Length == 0) continue;
            var c = line.Split(',');
            if (c.Length != 6) throw Bad(source, row, $"has {c.Length} columns; binance rows have 6 ({BinanceHeader})");
            var time = Time(source, row, c[0]);
            var o = Number(source, row, "open", c[1]);
            var h = Number(source, row, "high", c[2]);
            var l = Number(source, row, "low", c[3]);
            var cl = Number(source, row, "close", c[4]);
            var v = Number(source, row, "volume", c[5]);
            if (o <= 0 || h <= 0 || l <= 0 || cl <= 0) throw Bad(source, row, "has a price that is not positive");
            if (v < 0) throw Bad(source, row, $"volume {c[5]} is negative");
            if (h < Math.Max(o, cl) || l > Math.Min(o, cl)) throw Bad(source, row, $"high {c[2]} / low {c[3]} do not contain the open {c[1]} and close {c[4]}");
            if (bars.Count > 0)
            {
                var step = time - bars[^1].Time;
                if (step <= TimeSpan.Zero) throw Bad(source, row, $"{c[0]} does not follow the previous row's {Stamp(bars[^1].Time)}");
                interval ??= step;
                if (fillGaps && step > interval && step.Ticks % interval.Value.Ticks == 0)
                {
                    var previous = bars[^1];
                    for (var t = previous.Time + interval.Value; t < time; t += interval.Value, filled++)
                        bars.Add(new OhlcBar(t, previous.Close, previous.Close, previous.Close, previous.Close));
                }
                else if (step != interval)
                {
                    throw Bad(source, row, $"gap: {c[0]} is {step.TotalSeconds:0} s after {Stamp(bars[^1].Time)} (the file's interval is {interval.Value.TotalSeconds:0} s)");
                }
            }
            bars.Add(new OhlcBar(time, o, h, l, cl));
        }
        if (bars.Count < 2) throw Bad(source, row + 1, "the file has fewer than two bars");
        return bars;
    }

    /// <summary>Binance bars; a gap is an error.</summary>
    public static IReadOnlyList<OhlcBar> ReadBinance(TextReader reader, string source) => ReadBinance(reader, source, false, out _);

    /// <summary>Uniswap v3 minutes; a gap is an error.</summary>
    public static IReadOnlyList<PoolMinute> ReadUniswapMinutes(TextReader reader, string source) => ReadUniswapMinutes(reader, source, false, out _);

    /// <summary>Uniswap v3 minutes (after the header): every row one minute after the previous.</summary>
    /// <param name="fillGaps">Instead of refusing a gap, fill each missing minute with a still one at the previous close tick, no volume, the previous liquidity (counted in <paramref name="filled"/>).</param>
    public static IReadOnlyList<PoolMinute> ReadUniswapMinutes(TextReader reader, string source, bool fillGaps, out int filled)
    {
        filled = 0;
        ArgumentNullException.ThrowIfNull(reader);
        var minutes = new List<PoolMinute>();
        var row = 1;
        while (reader.ReadLine() is { } line)
        {
            row++;
            if (line.Length == 0) continue;
            var c = line.Split(',');
            if (c.Length != 10) throw Bad(source, row, $"has {c.Length} columns; uniswap-minute rows have 10 ({UniswapMinuteHeader})");
            var time = Time(source, row, c[0]);
            Number(source, row, "netAmount0", c[1]);
            Number(source, row, "netAmount1", c[2]);
            var close = Tick(source, row, "closeTick", c[3]);
            var open = Tick(source, row, "openTick", c[4]);
            var low = Tick(source, row, "lowestTick", c[5]);
            var high = Tick(source, row, "highestTick", c[6]);
            var in0 = Number(source, row, "inAmount0", c[7]);
            var in1 = Number(source, row, "inAmount1", c[8]);
            var liquidity = Number(source, row, "currentLiquidity", c[9]);
            if (low > high) throw Bad(source, row, $"lowestTick {c[5]} is above highestTick {c[6]}");
            if (in0 < 0 || in1 < 0) throw Bad(source, row, "has a negative inAmount");
            if (liquidity < 0) throw Bad(source, row, $"currentLiquidity {c[9]} is negative");
            if (minutes.Count > 0)
            {
                var step = time - minutes[^1].Time;
                if (fillGaps && step > TimeSpan.FromMinutes(1) && step.Ticks % TimeSpan.TicksPerMinute == 0)
                {
                    var previous = minutes[^1];
                    for (var t = previous.Time.AddMinutes(1); t < time; t = t.AddMinutes(1), filled++)
                        minutes.Add(new PoolMinute(t, previous.CloseTick, previous.CloseTick, previous.CloseTick, previous.CloseTick, 0, 0, previous.Liquidity));
                }
                else if (step != TimeSpan.FromMinutes(1))
                    throw Bad(source, row, step <= TimeSpan.Zero
                        ? $"{c[0]} does not follow the previous row's {Stamp(minutes[^1].Time)}"
                        : $"gap: {c[0]} is {step.TotalSeconds:0} s after {Stamp(minutes[^1].Time)} (rows must be one minute apart)");
            }
            minutes.Add(new PoolMinute(time, close, open, low, high, in0, in1, liquidity));
        }
        if (minutes.Count < 2) throw Bad(source, row + 1, "the file has fewer than two minutes");
        return minutes;
    }

    private static PriceFileException Bad(string source, int row, string problem) => new($"{source} row {row}: {problem}");

    private static string Stamp(DateTime t) => t.ToString("yyyy-MM-dd HH:mm:ss", Ic);

    private static DateTime Time(string source, int row, string s) =>
        DateTime.TryParseExact(s.Trim(), TimeFormats, Ic, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : throw Bad(source, row, $"'{Shorten(s)}' is not a time (yyyy-MM-dd HH:mm:ss)");

    private static double Number(string source, int row, string column, string s) =>
        double.TryParse(s.Trim(), NumberStyles.Float, Ic, out var v) && double.IsFinite(v)
            ? v
            : throw Bad(source, row, $"{column} '{Shorten(s)}' is not a number");

    private static int Tick(string source, int row, string column, string s)
    {
        var v = Number(source, row, column, s);
        if (v != Math.Floor(v) || Math.Abs(v) > 887_272) throw Bad(source, row, $"{column} '{s}' is not a tick (an integer in [−887272, 887272])");
        return (int)v;
    }
}

/// <summary>
/// What the replayed file's own prices say about its market, beside the strategies' figures: the variance ratio of its
/// closes (<see cref="Models.Estimators.VarianceRatio"/>) at a one-day and a one-week horizon (null when the file is
/// shorter than the horizon or never moves). 1 for a random walk; below 1 the price mean-reverts (a range re-centred at
/// that horizon loses less than σ²/8 predicts, and a limit range on the surplus side earns the return), above 1 it trends.
/// The week's ratio is also given for each half of the file: whether the market's character persists from one half to
/// the next is what a keeper that learns it from the past would rely on (docs/simulation.md, "On real prices").
/// </summary>
public sealed record ReferenceStatistics(double IntervalSeconds, int Prices, double? VarianceRatioDay, double? VarianceRatioWeek)
{
    /// <summary>VR over a week of the file's first half of prices (null when that half is shorter than a week or never moves).</summary>
    public double? VarianceRatioWeekFirstHalf { get; init; }

    /// <summary>VR over a week of the second half (the prices after the first half).</summary>
    public double? VarianceRatioWeekSecondHalf { get; init; }

    public static ReferenceStatistics Of(IReadOnlyList<double> closes, double intervalSeconds)
    {
        ArgumentNullException.ThrowIfNull(closes);
        if (!(intervalSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(intervalSeconds), intervalSeconds, "the interval between prices must be positive");
        var week = 7 * 86_400 / intervalSeconds;
        var half = closes.Count / 2;
        return new(intervalSeconds, closes.Count, At(closes, 86_400 / intervalSeconds), At(closes, week))
        {
            VarianceRatioWeekFirstHalf = At(closes.Take(half).ToArray(), week),
            VarianceRatioWeekSecondHalf = At(closes.Skip(half).ToArray(), week),
        };
    }

    private static double? At(IReadOnlyList<double> closes, double steps)
    {
        var q = (int)Math.Round(steps);
        if (q < 1 || closes.Count <= q + 1) return null;
        var moves = false;
        for (var i = 1; i < closes.Count && !moves; i++) moves = closes[i] != closes[i - 1];
        return moves ? Models.Estimators.VarianceRatio.Of(closes, q) : null;
    }
}

/// <summary>
/// Real prices as the reference market. <see cref="FromBars"/>: each OHLC bar becomes <c>m</c> steps whose path starts
/// at the open, visits the high and the low (in a seeded order, at seeded steps) and ends at the close, a seeded
/// Brownian bridge between them kept inside [low, high]; the simulated market (arbitrageur, noise, informed, the
/// fair-market venue and LPs) then trades against it. <see cref="FromPoolMinutes"/>: the real pool's price each minute
/// is the market; see <see cref="PoolReplay"/>.
/// </summary>
public static class RealMarket
{
    /// <summary>The default sub-step: 5 minutes (12 per one-hour bar); at least 4 steps per bar.</summary>
    public const double TargetStepSeconds = 300;

    /// <summary>The reference path of the bars: <c>stepsPerBar</c> points per bar (open first, close last, high and low between).</summary>
    public static double[] BridgePath(IReadOnlyList<OhlcBar> bars, int stepsPerBar, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerBar, 4);
        var rng = new Xoshiro256(Xoshiro256.Derive(seed, 6));
        var path = new double[bars.Count * stepsPerBar];
        var m = stepsPerBar;
        for (var k = 0; k < bars.Count; k++)
        {
            var b = bars[k];
            // anchors: open at 0, the two extremes at distinct steps in 1..m−2 (order seeded), close at m−1
            var i1 = 1 + (int)(rng.NextDouble() * (m - 2));
            var i2 = 1 + (int)(rng.NextDouble() * (m - 3));
            if (i2 >= i1) i2++;
            var (first, second) = (Math.Min(i1, i2), Math.Max(i1, i2));
            var highFirst = rng.NextDouble() < 0.5;
            int[] at = [0, first, second, m - 1];
            double[] logs = [Math.Log(b.Open), Math.Log(highFirst ? b.High : b.Low), Math.Log(highFirst ? b.Low : b.High), Math.Log(b.Close)];
            var scale = (Math.Log(b.High) - Math.Log(b.Low)) / 4;
            for (var seg = 0; seg < 3; seg++)
            {
                var (j0, j1) = (at[seg], at[seg + 1]);
                var span = j1 - j0;
                var w = 0.0; // a Brownian bridge from 0 to 0 over the segment
                for (var j = j0; j <= j1; j++)
                {
                    var u = (double)(j - j0) / span;
                    if (j > j0 && j < j1)
                    {
                        // bridge step: W(u) given W(u−Δ) and W(1) = 0
                        var du = 1.0 / span;
                        var remaining = 1 - (u - du);
                        w += -w * du / remaining + Math.Sqrt(du * (remaining - du) / remaining) * rng.NextGaussian();
                    }
                    var x = j == j0 || j == j1 ? (1 - u) * logs[seg] + u * logs[seg + 1] : (1 - u) * logs[seg] + u * logs[seg + 1] + scale * w;
                    path[k * m + j] = Math.Clamp(Math.Exp(x), b.Low, b.High);
                }
            }
            // the anchors exactly
            path[k * m] = b.Open;
            path[k * m + first] = highFirst ? b.High : b.Low;
            path[k * m + second] = highFirst ? b.Low : b.High;
            path[k * m + m - 1] = b.Close;
        }
        return path;
    }

    /// <summary>Steps per bar for a bar interval: interval / 5 minutes, at least 4.</summary>
    public static int StepsPerBar(TimeSpan interval) => Math.Max(4, (int)Math.Round(interval.TotalSeconds / TargetStepSeconds));

    /// <summary>
    /// The scenario of a real-price run: <paramref name="baseScenario"/>'s flow, gas, oracle, strategies and fair
    /// market, with the file's steps, step length, first price and realised daily volatility; the treasury's starting
    /// inventory keeps the base scenario's quote value (its base amount × its initial price) at the file's first price.
    /// </summary>
    public static Scenario Adapt(Scenario baseScenario, string name, double[] reference, double stepSeconds)
    {
        ArgumentNullException.ThrowIfNull(baseScenario);
        ArgumentNullException.ThrowIfNull(reference);
        var steps = reference.Length - 1;
        var sum = 0.0;
        var sum2 = 0.0;
        for (var t = 1; t <= steps; t++)
        {
            var r = Math.Log(reference[t] / reference[t - 1]);
            sum += r;
            sum2 += r * r;
        }
        var variance = Math.Max(0, sum2 / steps - (sum / steps) * (sum / steps));
        var dailyVol = Math.Sqrt(variance * 86_400 / stepSeconds);
        var value = baseScenario.Pool.BaseAmount * baseScenario.Price.Initial;
        var quote = baseScenario.Pool.QuoteAmount > 0 ? baseScenario.Pool.QuoteAmount / baseScenario.Price.Initial * reference[0] : 0;
        return (baseScenario with
        {
            Name = name,
            Description = $"real prices: {name}, {steps} steps of {stepSeconds:0.##} s",
            Steps = steps,
            StepSeconds = stepSeconds,
            Price = baseScenario.Price with { Model = PriceModel.Gbm, Initial = reference[0], VolatilityPerDay = dailyVol, DriftPerDay = 0, ShockStep = 0, ShockLog = 0 },
            Pool = baseScenario.Pool with { BaseAmount = value / reference[0], QuoteAmount = quote },
        }).Validate();
    }

    /// <summary>The market path of Binance bars: the bridge path as the reference, the rest drawn from the scenario and seed.</summary>
    public static MarketPath FromBars(Scenario baseScenario, IReadOnlyList<OhlcBar> bars, string name, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(bars);
        var interval = bars[1].Time - bars[0].Time;
        var m = StepsPerBar(interval);
        var reference = BridgePath(bars, m, seed);
        var scenario = Adapt(baseScenario, name, reference, interval.TotalSeconds / m);
        return MarketPath.Generate(scenario, Backtest.PathSeed(seed, 0), reference);
    }

    /// <summary>The market path of a pool's minutes: the reference is the pool's open price, then each minute's close;
    /// no simulated traders (the real ones are in the fees and the price).</summary>
    public static MarketPath FromPoolMinutes(Scenario baseScenario, IReadOnlyList<PoolMinute> minutes, UniswapPoolInfo pool, string name, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(minutes);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(baseScenario);
        var reference = new double[minutes.Count + 1];
        reference[0] = pool.Price(minutes[0].OpenTick);
        for (var t = 0; t < minutes.Count; t++) reference[t + 1] = pool.Price(minutes[t].CloseTick);
        var quiet = baseScenario with
        {
            Noise = baseScenario.Noise with { ArrivalsPerDay = 0 },
            Informed = baseScenario.Informed with { ArrivalsPerDay = 0, BeforeShockArrivalsPerDay = 0 },
            Arbitrage = baseScenario.Arbitrage with { Enabled = false },
            Venue = baseScenario.Venue with { Enabled = false },
            OtherLps = new OtherLiquiditySettings(),
        };
        var scenario = Adapt(quiet, name, reference, 60);
        return MarketPath.Generate(scenario, Backtest.PathSeed(seed, 0), reference);
    }
}

/// <summary>
/// The Uniswap v3 minute replay: the real pool's price is the market, and the treasury's position sits among the
/// pool's real active liquidity. Each minute t, every pool of the strategy (a <see cref="ReplayVenue"/>) is moved
/// along its curve to the minute's close price — its loss against the reference along the way is what the real
/// arbitrageurs took (accounted as the arbitrage loss; no arbitrage is simulated a second time) — and earns, as idle
/// tokens in the pool, its share of the fees the pool collected that minute (fee × inAmount0 and × inAmount1):
/// share = f_in · L_t / (L_pool + L_t), L_t its liquidity, L_pool the pool's active liquidity, f_in the part of
/// the minute's tick range [min(low, open, close), max(high, open, close)] (in log price) inside its range (1 or 0
/// when the minute did not move). The pool's fee, not the strategy's, sets the fees; a reposition redeposits the
/// idle fees.
/// </summary>
public sealed class PoolReplay(IReadOnlyList<PoolMinute> minutes, UniswapPoolInfo pool)
{
    public void Step(Market market, int step)
    {
        ArgumentNullException.ThrowIfNull(market);
        var s = market.Path.Reference[step];
        var minute = minutes[step - 1];
        var poolL = pool.HumanLiquidity(minute.Liquidity);
        var lowTick = Math.Min(minute.LowestTick, Math.Min(minute.OpenTick, minute.CloseTick));
        var highTick = Math.Max(minute.HighestTick, Math.Max(minute.OpenTick, minute.CloseTick));
        var (pMin, pMax) = (Math.Min(pool.Price(lowTick), pool.Price(highTick)), Math.Max(pool.Price(lowTick), pool.Price(highTick)));
        var f = pool.FeePips / 1e6;
        // fees in human units of each token, then as base/quote
        var fee0 = minute.InAmount0 * f / Math.Pow(10, pool.Decimals0);
        var fee1 = minute.InAmount1 * f / Math.Pow(10, pool.Decimals1);
        var (feeBase, feeQuote) = pool.BaseToken == 1 ? (fee1, fee0) : (fee0, fee1);
        foreach (var venue in market.Venues)
        {
            if (venue is not ReplayVenue v) throw new InvalidOperationException("the pool replay needs ReplayVenue pools");
            market.ChargeReplayLvr(v.MoveTo(s));
            var lt = v.HumanLiquidity;
            if (lt <= 0) continue;
            var (a, b) = v.RangePrices;
            double inRange;
            if (pMax <= pMin) inRange = pMin >= a && pMin <= b ? 1 : 0;
            else inRange = Math.Max(0, Math.Log(Math.Min(pMax, b)) - Math.Log(Math.Max(pMin, a))) / Math.Log(pMax / pMin);
            var share = inRange * lt / (poolL + lt);
            if (share <= 0) continue;
            v.AddFees(feeBase * share, feeQuote * share);
            market.CreditFees(feeBase * share * s + feeQuote * share);
        }
    }
}

/// <summary>A treasury position replayed against a real pool's price: its tokens are the curve's amounts at the price plus the fees it collected (idle until a reposition).</summary>
public sealed class ReplayVenue : IPoolVenue
{
    private const double Q96 = 79228162514264337593543950336.0;
    private FastPoolState _state;
    private double _posX, _posY, _idleX, _idleY;

    public ReplayVenue(UInt256 sqrtPriceX96, UInt256 reserve0, UInt256 reserve1, int feePips)
    {
        _state = new FastPoolState { SqrtPriceX96 = sqrtPriceX96, Reserve0 = reserve0, Reserve1 = reserve1, FeePips = feePips };
        _idleX = Units.Human(reserve0);
        _idleY = Units.Human(reserve1);
    }

    public ref readonly FastPoolState State => ref _state;
    public long LastRepositionTime { get; private set; }
    public IReadOnlyList<SwapRecord>? Swaps { get; } = [];

    /// <summary>The position's liquidity in human units (0 without a range).</summary>
    public double HumanLiquidity => (double)_state.Liquidity / Units.One;

    public (double Low, double High) RangePrices => (Units.Price(_state.SqrtPriceLowX96), Units.Price(_state.SqrtPriceHighX96));

    /// <summary>Moves the position along its curve to <paramref name="price"/> (clamped to its range); returns the loss against the reference, (old tokens − new tokens) valued at that price (≥ 0 on a constant-product curve).</summary>
    public double MoveTo(double price)
    {
        if (_state.Liquidity.IsZero)
        {
            _state.SqrtPriceX96 = Units.SqrtPriceX96(price);
            return 0;
        }
        var before = _posX * price + _posY;
        var l = HumanLiquidity;
        var sa = (double)_state.SqrtPriceLowX96 / Q96;
        var sb = (double)_state.SqrtPriceHighX96 / Q96;
        var sp = Math.Clamp(Math.Sqrt(price), sa, sb);
        _posX = l * (1 / sp - 1 / sb);
        _posY = l * (sp - sa);
        _state.SqrtPriceX96 = sp <= sa ? _state.SqrtPriceLowX96 : sp >= sb ? _state.SqrtPriceHighX96 : Units.SqrtPriceX96(sp * sp);
        SetReservesFromParts();
        return before - (_posX * price + _posY);
    }

    public void AddFees(double baseAmount, double quoteAmount)
    {
        _idleX += baseAmount;
        _idleY += quoteAmount;
        SetReservesFromParts();
    }

    private void SetReservesFromParts()
    {
        _state.Reserve0 = Units.Raw(_posX + _idleX);
        _state.Reserve1 = Units.Raw(_posY + _idleY);
    }

    /// <summary>After a refit of L, the position is the curve's amounts at the pool's price and the rest idle.</summary>
    private void Split()
    {
        var x = Units.Human(_state.Reserve0);
        var y = Units.Human(_state.Reserve1);
        if (_state.Liquidity.IsZero)
        {
            (_posX, _posY, _idleX, _idleY) = (0, 0, x, y);
            return;
        }
        var l = HumanLiquidity;
        var sa = (double)_state.SqrtPriceLowX96 / Q96;
        var sb = (double)_state.SqrtPriceHighX96 / Q96;
        var sp = Math.Clamp((double)_state.SqrtPriceX96 / Q96, sa, sb);
        _posX = Math.Min(x, l * (1 / sp - 1 / sb));
        _posY = Math.Min(y, l * (sp - sa));
        _idleX = x - _posX;
        _idleY = y - _posY;
    }

    public FastPoolQuote? Quote(bool zeroForOne, UInt256 amountIn) => null;

    public bool TrySwap(int step, Trader trader, bool zeroForOne, UInt256 amountIn, out FastPoolQuote quote)
    {
        quote = default;
        return false; // the real pool's traders are in its price and fees
    }

    public void Reposition(UInt256 sqrtPriceX96, UInt256 sqrtPriceBoundX96, int feePips, long timestamp)
    {
        _state.Reserve0 = Units.Raw(_posX + _idleX);
        _state.Reserve1 = Units.Raw(_posY + _idleY);
        _state = FastPoolState.FromPoolState(PoolSwap.Reposition(_state.ToPoolState(), sqrtPriceX96, sqrtPriceBoundX96, feePips));
        LastRepositionTime = timestamp;
        Split();
    }

    public void SetReserves(UInt256 reserve0, UInt256 reserve1)
    {
        _state = InMemoryVenue.WithReserves(_state, reserve0, reserve1);
        Split();
    }
}

/// <summary>The replay's pools.</summary>
public sealed class ReplayVenueFactory : IVenueFactory
{
    public static readonly ReplayVenueFactory Instance = new();

    public IPoolVenue Create(UInt256 sqrtPriceX96, UInt256 reserve0, UInt256 reserve1, int feePips, bool recordSwaps = false) =>
        new ReplayVenue(sqrtPriceX96, reserve0, reserve1, feePips);
}
