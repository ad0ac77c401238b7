pragma circom 2.1.0;

// Paraloom join-split v2: 2 inputs, 2 outputs, commitment tree depth 32.
// Public inputs, in this exact order (docs/protocol.md §Circuit):
//   root, public_amount, ext_data_hash, asset_public, nullifier[0], nullifier[1], out_commitment[0], out_commitment[1]
//
// ak = P1(sk)    nk = P2(sk, NK_TAG)    pk_d = P2(ak, d) for a diversifier d
// commitment = P4(amount, pk_d, blinding, asset)
// nullifier  = P3(commitment, leafIndex, P3(nk, commitment, leafIndex))
// `asset` is private and shared by every input and output; `asset_public` must equal it whenever
// value enters or leaves the pool (public_amount != 0), so a transfer can show asset_public = 0.

include "poseidon.circom";
include "bitify.circom";
include "comparators.circom";

// SHA-256("paraloom/nk") mod r: separates nk = P2(sk, NK_TAG) from every other P2 of sk.
function NK_TAG() {
    return 6104368054142332225851093711407538193920925728165623697276833322468029766093;
}

// Root of the path from `leaf` whose left/right choices are the bits of the leaf index
// (bit i = 1: the node at level i is a right child). The same bits feed the nullifier,
// so one note cannot be opened at two positions to mint two nullifiers.
template MerkleRootFromIndex(levels) {
    signal input leaf;
    signal input indexBits[levels];
    signal input siblings[levels];
    signal output root;

    component hashers[levels];
    signal node[levels + 1];
    signal left[levels];
    node[0] <== leaf;
    for (var i = 0; i < levels; i++) {
        // left = bit ? sibling : node; right = node + sibling - left
        left[i] <== node[i] + indexBits[i] * (siblings[i] - node[i]);
        hashers[i] = Poseidon(2);
        hashers[i].inputs[0] <== left[i];
        hashers[i].inputs[1] <== node[i] + siblings[i] - left[i];
        node[i + 1] <== hashers[i].out;
    }
    root <== node[levels];
}

template Transact(levels, nIns, nOuts) {
    signal input root;
    signal input public_amount;
    signal input ext_data_hash;
    signal input asset_public;
    signal input nullifier[nIns];
    signal input out_commitment[nOuts];

    signal input asset;
    signal input in_amount[nIns];
    signal input in_sk[nIns];
    signal input in_d[nIns];
    signal input in_blinding[nIns];
    signal input in_leaf_index[nIns];
    signal input in_path[nIns][levels];

    signal input out_amount[nOuts];
    signal input out_pk[nOuts];
    signal input out_blinding[nOuts];

    component inAk[nIns];
    component inPkD[nIns];
    component inNk[nIns];
    component inCommit[nIns];
    component inSig[nIns];
    component inNullifier[nIns];
    component inIndexBits[nIns];
    component inAmountBits[nIns];
    component inTree[nIns];
    component inRootCheck[nIns];
    var sumIns = 0;

    for (var i = 0; i < nIns; i++) {
        inAmountBits[i] = Num2Bits(64);
        inAmountBits[i].in <== in_amount[i];

        // The note's owner key and the nullifier key come from the same sk: one note, one nullifier.
        inAk[i] = Poseidon(1);
        inAk[i].inputs[0] <== in_sk[i];
        inPkD[i] = Poseidon(2);
        inPkD[i].inputs[0] <== inAk[i].out;
        inPkD[i].inputs[1] <== in_d[i];
        inNk[i] = Poseidon(2);
        inNk[i].inputs[0] <== in_sk[i];
        inNk[i].inputs[1] <== NK_TAG();

        inCommit[i] = Poseidon(4);
        inCommit[i].inputs[0] <== in_amount[i];
        inCommit[i].inputs[1] <== inPkD[i].out;
        inCommit[i].inputs[2] <== in_blinding[i];
        inCommit[i].inputs[3] <== asset;

        inIndexBits[i] = Num2Bits(levels);
        inIndexBits[i].in <== in_leaf_index[i];

        inSig[i] = Poseidon(3);
        inSig[i].inputs[0] <== inNk[i].out;
        inSig[i].inputs[1] <== inCommit[i].out;
        inSig[i].inputs[2] <== in_leaf_index[i];

        inNullifier[i] = Poseidon(3);
        inNullifier[i].inputs[0] <== inCommit[i].out;
        inNullifier[i].inputs[1] <== in_leaf_index[i];
        inNullifier[i].inputs[2] <== inSig[i].out;
        inNullifier[i].out === nullifier[i];

        inTree[i] = MerkleRootFromIndex(levels);
        inTree[i].leaf <== inCommit[i].out;
        for (var j = 0; j < levels; j++) {
            inTree[i].indexBits[j] <== inIndexBits[i].out[j];
            inTree[i].siblings[j] <== in_path[i][j];
        }

        // Membership is enforced for every input whose amount is non-zero; a zero-amount
        // dummy input carries no value, so it needs no place in the tree.
        inRootCheck[i] = ForceEqualIfEnabled();
        inRootCheck[i].in[0] <== root;
        inRootCheck[i].in[1] <== inTree[i].root;
        inRootCheck[i].enabled <== in_amount[i];

        sumIns += in_amount[i];
    }

    component outCommit[nOuts];
    component outAmountBits[nOuts];
    var sumOuts = 0;
    for (var i = 0; i < nOuts; i++) {
        outAmountBits[i] = Num2Bits(64);
        outAmountBits[i].in <== out_amount[i];

        outCommit[i] = Poseidon(4);
        outCommit[i].inputs[0] <== out_amount[i];
        outCommit[i].inputs[1] <== out_pk[i];
        outCommit[i].inputs[2] <== out_blinding[i];
        outCommit[i].inputs[3] <== asset;
        outCommit[i].out === out_commitment[i];

        sumOuts += out_amount[i];
    }

    // Pairwise distinct nullifiers (a note spent twice in one transaction).
    component sameNullifier[nIns * (nIns - 1) / 2];
    var k = 0;
    for (var i = 0; i < nIns - 1; i++) {
        for (var j = i + 1; j < nIns; j++) {
            sameNullifier[k] = IsEqual();
            sameNullifier[k].in[0] <== nullifier[i];
            sameNullifier[k].in[1] <== nullifier[j];
            sameNullifier[k].out === 0;
            k++;
        }
    }

    sumIns + public_amount === sumOuts;

    // A deposit or withdrawal names its asset; a transfer (public_amount = 0) may hide it.
    public_amount * (asset_public - asset) === 0;

    // ext_data_hash takes part in no other constraint; squaring it binds it to the proof.
    signal extDataSquare;
    extDataSquare <== ext_data_hash * ext_data_hash;
}

component main {public [root, public_amount, ext_data_hash, asset_public, nullifier, out_commitment]} = Transact(32, 2, 2);
