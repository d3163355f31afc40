(S (NP (DT the) (JJ old)) (VP (NN man) (VBD saw) (NP (NP (DT the) (NN boat)) (PP (IN with) (NP (NN glee))))))
(S (A (C c1) (X (D d1) (E e1) (G g1))) (F (H h1) (I i1)))
