namespace TreasuryManager.Models.Estimators;

/// <summary>
/// Toxicity by size-weighted markouts (docs/models.md, "Markouts"): for each trade against the pool,
/// the signed relative price move over a fixed horizon after it, from the trader's side:
/// m = side·(P(t + h) − P_trade)/P_trade, side = +1 when the trader bought base. Positive markouts
/// mean the flow was informed (the pool lost). The estimate is Σ|size|·m / Σ|size| over the last
/// <see cref="Window"/> matured trades; ready once <see cref="MinTrades"/> have matured.
/// </summary>
public sealed class MarkoutToxicity
{
    private readonly Queue<(double Time, double Price, double Size)> _pending = new();
    private readonly Queue<(double Weight, double Markout)> _matured = new();
    private double _sumWeight;
    private double _sumWeighted;

    public MarkoutToxicity(double horizon, int window = 200, int minTrades = 20)
    {
        Guard.Positive(horizon);
        Guard.Positive(window);
        Guard.Positive(minTrades);
        if (minTrades > window) throw new ArgumentOutOfRangeException(nameof(minTrades), minTrades, "must not exceed the window");
        Horizon = horizon;
        Window = window;
        MinTrades = minTrades;
    }

    public double Horizon { get; }

    public int Window { get; }

    public int MinTrades { get; }

    public int Matured => _matured.Count;

    public bool IsReady => _matured.Count >= MinTrades;

    /// <summary>Size-weighted mean markout (a fraction of price), or null until ready.</summary>
    public double? Markout => IsReady && _sumWeight > 0 ? _sumWeighted / _sumWeight : null;

    /// <summary>A trade at <paramref name="price"/>; <paramref name="signedSize"/> &gt; 0 when the trader bought base.</summary>
    public void AddTrade(double time, double price, double signedSize)
    {
        Guard.Finite(time);
        Guard.Positive(price);
        Guard.Finite(signedSize);
        if (signedSize != 0) _pending.Enqueue((time, price, signedSize));
    }

    /// <summary>A price observation: trades whose horizon has passed are marked to it.</summary>
    public void OnPrice(double time, double price)
    {
        Guard.Finite(time);
        Guard.Positive(price);
        while (_pending.Count > 0 && _pending.Peek().Time + Horizon <= time)
        {
            var t = _pending.Dequeue();
            var markout = Math.Sign(t.Size) * (price - t.Price) / t.Price;
            var weight = Math.Abs(t.Size);
            _matured.Enqueue((weight, markout));
            _sumWeight += weight;
            _sumWeighted += weight * markout;
            if (_matured.Count > Window)
            {
                var old = _matured.Dequeue();
                _sumWeight -= old.Weight;
                _sumWeighted -= old.Weight * old.Markout;
            }
        }
    }
}

/// <summary>
/// VPIN, volume-synchronised probability of informed trading (Easley, López de Prado and O'Hara
/// 2012, "Flow toxicity and liquidity in a high-frequency world", Rev. Financial Studies 25(5)):
/// trades fill volume buckets of size V (a trade that overflows a bucket is split across buckets);
/// VPIN = Σ_τ |V_τ^buy − V_τ^sell| / (n·V) over the last n complete buckets.
/// Ready once n buckets are complete. Trades come classified (a pool knows each trade's side).
/// </summary>
public sealed class Vpin
{
    private readonly Queue<double> _imbalances = new();
    private double _sumImbalance;
    private double _bucketBuy;
    private double _bucketSell;

    public Vpin(double bucketVolume, int buckets = 50)
    {
        Guard.Positive(bucketVolume);
        Guard.Positive(buckets);
        BucketVolume = bucketVolume;
        Buckets = buckets;
    }

    public double BucketVolume { get; }

    /// <summary>n.</summary>
    public int Buckets { get; }

    public bool IsReady => _imbalances.Count >= Buckets;

    public double? Value => IsReady ? _sumImbalance / (Buckets * BucketVolume) : null;

    /// <summary><paramref name="signedVolume"/> &gt; 0 for a buy of base, &lt; 0 for a sell.</summary>
    public void AddTrade(double signedVolume)
    {
        Guard.Finite(signedVolume);
        var remaining = Math.Abs(signedVolume);
        var buy = signedVolume > 0;
        while (remaining > 0)
        {
            var room = BucketVolume - _bucketBuy - _bucketSell;
            var take = Math.Min(room, remaining);
            if (buy) _bucketBuy += take;
            else _bucketSell += take;
            remaining -= take;
            if (_bucketBuy + _bucketSell >= BucketVolume * (1 - 1e-12))
            {
                var imbalance = Math.Abs(_bucketBuy - _bucketSell);
                _imbalances.Enqueue(imbalance);
                _sumImbalance += imbalance;
                if (_imbalances.Count > Buckets) _sumImbalance -= _imbalances.Dequeue();
                _bucketBuy = _bucketSell = 0;
            }
        }
    }
}
