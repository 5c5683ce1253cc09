// End-to-end send rate of ethers.js v6: N signed type-2 transfers sent to a local node and mined.
// Usage: node bench/e2e/ethers-send.js <rpc-url> <count>
// Prints one JSON line: {"client":"ethers","count":N,"seconds":S,"tx_per_second":R}
const { JsonRpcProvider, Wallet, HDNodeWallet, Mnemonic } = require("ethers");

async function main() {
  const [url, countText] = process.argv.slice(2);
  const count = Number(countText);
  if (!url || !Number.isInteger(count) || count <= 0) {
    console.error("usage: node bench/e2e/ethers-send.js <rpc-url> <count>");
    process.exit(2);
  }
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, batchMaxCount: 1 });
  // Account 1 of the Hardhat test mnemonic (test keys only); the C# side uses account 2.
  const mnemonic = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
  const wallet = HDNodeWallet.fromMnemonic(mnemonic, "m/44'/60'/0'/0/1").connect(provider);
  const to = "0x000000000000000000000000000000000000dEaD";
  const chainId = (await provider.getNetwork()).chainId;
  let nonce = await provider.getTransactionCount(wallet.address, "pending");
  const fee = await provider.getFeeData();
  const started = process.hrtime.bigint();
  let last;
  for (let i = 0; i < count; i++) {
    last = await wallet.sendTransaction({
      type: 2, chainId, nonce: nonce++, to, value: 1n, gasLimit: 21000n,
      maxFeePerGas: fee.maxFeePerGas * 2n, maxPriorityFeePerGas: fee.maxPriorityFeePerGas,
    });
  }
  await last.wait();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({ client: "ethers", count, seconds, tx_per_second: count / seconds }));
}

main().catch((e) => { console.error(e.message ?? e); process.exit(1); });
