namespace TreasuryManager.Ethereum.JsonRpc;

/// <summary>
/// A JSON-RPC batch whose items carry their own decoder: <see cref="Add{T}"/> returns a handle that reads its own
/// answer from the batch's responses, so no caller decodes an answer by its position in the batch.
/// </summary>
public sealed class RpcBatch
{
    private readonly List<RpcRequest> _requests = [];

    /// <summary>The requests, in the order they are sent.</summary>
    public IReadOnlyList<RpcRequest> Requests => _requests;

    /// <summary>Adds <paramref name="request"/>; its answer is read with the returned item's <see cref="Item{T}.Read"/>.</summary>
    public Item<T> Add<T>(RpcRequest request, Func<RpcResponse, T> decode)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(decode);
        _requests.Add(request);
        return new Item<T>(this, _requests.Count - 1, decode);
    }

    /// <summary>Sends every request in one HTTP request.</summary>
    public async Task<Responses> SendAsync(RpcClient rpc, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        return new Responses(this, await rpc.BatchAsync(_requests, ct).ConfigureAwait(false));
    }

    /// <summary>The answers of one send of this batch.</summary>
    public sealed class Responses(RpcBatch batch, IReadOnlyList<RpcResponse> answers)
    {
        internal RpcResponse At(RpcBatch owner, int index) =>
            ReferenceEquals(owner, batch) ? answers[index] : throw new InvalidOperationException("the item belongs to another batch");
    }

    /// <summary>One request of the batch and how to decode its answer.</summary>
    public sealed class Item<T>(RpcBatch batch, int index, Func<RpcResponse, T> decode)
    {
        /// <summary>The raw answer (with its error, if any).</summary>
        public RpcResponse Raw(Responses responses)
        {
            ArgumentNullException.ThrowIfNull(responses);
            return responses.At(batch, index);
        }

        /// <summary>The decoded answer; throws the node's error (an <see cref="RpcException"/>) if the item failed.</summary>
        public T Read(Responses responses) => decode(Raw(responses));
    }
}
