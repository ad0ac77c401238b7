pragma circom 2.1.0;

// Paraloom compute ownership proof: "I hold the spending key of a note of at least `min_amount`
// in the commitment tree under `root`", bound to one compute job, without revealing the note,
// its position, or its nullifier, and without spending it.
// Public inputs, in this exact order (docs/protocol.md §Compute jobs):
//   root, job_id, scope, min_amount, tag
//
// Same conventions as transact.circom (v2 notes): pk_d = P2(P1(sk), d) for the note's diversifier d,
// commitment = P4(amount, pk_d, blinding, asset),
// tree depth 32 with Poseidon P2 nodes, path directions = bits of leaf_index (bit i = 1: right child).
//
// tag = P4(OWNERSHIP_DOMAIN, sk, commitment, scope): one note gives exactly one tag per scope (an
// epoch), so validators can refuse a second job backed by the same note in the same scope. Tags of
// different scopes are unlinkable without sk, and the tag shares no preimage form with the
// nullifier's P3 terms, so it says nothing about the nullifier.

include "poseidon.circom";
include "bitify.circom";
include "comparators.circom";

// ASCII "paraloom/v1/ownership-tag" as a big-endian integer (< p): domain separation of the tag.
function OWNERSHIP_DOMAIN() {
    return 0x706172616c6f6f6d2f76312f6f776e6572736869702d746167;
}

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
        left[i] <== node[i] + indexBits[i] * (siblings[i] - node[i]);
        hashers[i] = Poseidon(2);
        hashers[i].inputs[0] <== left[i];
        hashers[i].inputs[1] <== node[i] + siblings[i] - left[i];
        node[i + 1] <== hashers[i].out;
    }
    root <== node[levels];
}

template Ownership(levels) {
    signal input root;
    signal input job_id;
    signal input scope;
    signal input min_amount;
    signal input tag;

    signal input sk;
    signal input d;
    signal input amount;
    signal input blinding;
    signal input asset;
    signal input leaf_index;
    signal input path[levels];

    // Both amounts are u64, so the comparison below cannot wrap around the field.
    component amountBits = Num2Bits(64);
    amountBits.in <== amount;
    component minBits = Num2Bits(64);
    minBits.in <== min_amount;
    component enough = LessEqThan(64);
    enough.in[0] <== min_amount;
    enough.in[1] <== amount;
    enough.out === 1;

    component ak = Poseidon(1);
    ak.inputs[0] <== sk;
    component pk = Poseidon(2);
    pk.inputs[0] <== ak.out;
    pk.inputs[1] <== d;

    component commitment = Poseidon(4);
    commitment.inputs[0] <== amount;
    commitment.inputs[1] <== pk.out;
    commitment.inputs[2] <== blinding;
    commitment.inputs[3] <== asset;

    // Membership is always enforced: unlike transact there is no dummy input here.
    component indexBits = Num2Bits(levels);
    indexBits.in <== leaf_index;
    component tree = MerkleRootFromIndex(levels);
    tree.leaf <== commitment.out;
    for (var j = 0; j < levels; j++) {
        tree.indexBits[j] <== indexBits.out[j];
        tree.siblings[j] <== path[j];
    }
    tree.root === root;

    component tagHash = Poseidon(4);
    tagHash.inputs[0] <== OWNERSHIP_DOMAIN();
    tagHash.inputs[1] <== sk;
    tagHash.inputs[2] <== commitment.out;
    tagHash.inputs[3] <== scope;
    tagHash.out === tag;

    // job_id takes part in no other constraint; squaring it binds the proof to this one job.
    signal jobIdSquare;
    jobIdSquare <== job_id * job_id;
}

component main {public [root, job_id, scope, min_amount, tag]} = Ownership(32);
