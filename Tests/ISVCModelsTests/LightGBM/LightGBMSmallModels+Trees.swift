// Generated with lightgbm 4.7.0 (see LightGBMSmallModels.swift); expected = Booster.predict(rows).
extension LightGBMSmallModels {
    static let trees: [Case] = [
        Case(name: "rf", expected: [-0.6918576340807271, 0.07988152551716542, 0.07988152551716542, 0.07988152551716542, -2.216981307405626, 1.6542090372528726, 0.07988152551716542, 0.07988152551716542], shape: [8], text: """
tree
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=2
objective=regression
average_output
feature_names=Column_0 Column_1 Column_2
feature_infos=[-2.4348377641071388:2.528325706806398] [-2.7930850001465402:3.0308571123720305] [0:4]

Tree=0
num_leaves=3
num_cat=0
split_feature=1 1
threshold=0.25256844327253164 -0.63969054541729864
decision_type=2 2
left_child=1 -1
right_child=-2 -3
leaf_value=-2.3221776677680035 2.3625447135121926 -0.11565741295071288
is_linear=0
shrinkage=1

Tree=1
num_leaves=3
num_cat=0
split_feature=1 1
threshold=-0.15208808292265261 0.77178815555676039
decision_type=2 2
left_child=-1 -2
right_child=1 -3
leaf_value=-1.7823640630326778 0.53285341576099965 2.8428479533114781
is_linear=0
shrinkage=1

Tree=2
num_leaves=3
num_cat=0
split_feature=1 1
threshold=0.25256844327253164 -0.63969054541729864
decision_type=2 2
left_child=1 -1
right_child=-2 -3
leaf_value=-2.5464021914161963 2.067228982485426 -0.17755142625879053
is_linear=0
shrinkage=1

end of trees
"""),
        Case(name: "linear", expected: [0.01861203808371286, 0.07048880462897, 0.07048880462897, 0.12297966933266799, -0.676396764130678, 0.3703193965601157, 0.08508053750005759, 0.05108410282115613], shape: [8], text: """
tree
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=2
objective=regression
feature_names=Column_0 Column_1 Column_2
feature_infos=[-2.4348377641071388:2.528325706806398] [-2.7930850001465402:3.0308571123720305] [0:4]

Tree=0
num_leaves=3
num_cat=0
split_feature=1 1
threshold=0.25256844327253164 -0.63969054541729864
decision_type=2 2
left_child=1 -1
right_child=-2 -3
leaf_value=-0.16067100450487845 0.28267403441763511 0.055802106841927365
is_linear=1
leaf_const=-0.16067100450487845 0.28267403441763511 0.055802106841927365
num_features=0 0 0
leaf_features=   
leaf_coeff=   
shrinkage=1

Tree=1
num_leaves=3
num_cat=0
split_feature=1 1
threshold=-1.0000000180025095e-35 1.1973704649771999
decision_type=2 2
left_child=-1 -2
right_child=1 -3
leaf_value=-0.14391036470840265 0.067177562490740625 0.34210560946237473
is_linear=1
leaf_const=-0.0030089479819584322 0.014686697787042636 -0.052092928273127372
num_features=1 1 1
leaf_features=1  1  1  
leaf_coeff=0.17090560388128037  0.14591732871087587  0.21456602752058984  
shrinkage=0.1

end of trees
"""),
        Case(name: "zeromissing", expected: [-0.056483883119276046, 0.12106810494474624, 0.12106810494474624, 0.12106810494474624, -0.5689479054850861, 0.28253123976734273, 0.12106810494474624, -0.056483883119276046], shape: [8], text: """
tree
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=2
objective=regression
feature_names=Column_0 Column_1 Column_2
feature_infos=[-2.4348377641071388:2.528325706806398] [-2.7930850001465402:3.0308571123720305] [0:4]

Tree=0
num_leaves=4
num_cat=0
split_feature=1 1 1
threshold=0.25256844327253164 -0.63969054541729864 1.4294846304160822
decision_type=6 4 6
left_child=1 -1 -2
right_child=2 -3 -4
leaf_value=-0.16067100450487845 0.21726524166452388 0.055802106841927365 0.45709748175926512
is_linear=0
shrinkage=1

Tree=1
num_leaves=4
num_cat=0
split_feature=1 1 1
threshold=0.028611466840654885 0.92103259335723398 -1.6624585367215159
decision_type=4 6 6
left_child=2 -2 -1
right_child=1 -3 -4
leaf_value=-0.40827690098020764 0.06526599810281887 0.2986217620196166 -0.11228598996120341
is_linear=0
shrinkage=0.1

end of trees
"""),
        Case(name: "singleleaf", expected: [0.07546920088119805, 0.07546920088119805, 0.07546920088119805, 0.07546920088119805, 0.07546920088119805, 0.07546920088119805, 0.07546920088119805, 0.07546920088119805], shape: [8], text: """
tree
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=2
objective=regression
feature_names=Column_0 Column_1 Column_2
feature_infos=none none none

Tree=0
num_leaves=1
num_cat=0
split_feature=
threshold=
decision_type=
left_child=
right_child=
leaf_value=0.075469200881198045
is_linear=0
shrinkage=1

end of trees
"""),
        Case(name: "categorical", expected: [2.0715741554357567, 2.0715741554357567, 1.316408628821351, 1.316408628821351, 1.316408628821351, 1.4794446482398516, 1.316408628821351, 1.316408628821351], shape: [8], text: """
tree
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=2
objective=regression
feature_names=Column_0 Column_1 Column_2
feature_infos=[-2.4348377641071388:2.528325706806398] [-2.7930850001465402:3.0308571123720305] -1:1:2:3:4:0

Tree=0
num_leaves=3
num_cat=1
split_feature=2 1
threshold=0 0.43384624365660102
decision_type=1 2
left_child=-1 -2
right_child=1 -3
leaf_value=1.8887845708492617 1.4935817919610077 1.5801736550880165
cat_boundaries=0 1
cat_threshold=10
is_linear=0
shrinkage=1

Tree=1
num_leaves=3
num_cat=1
split_feature=2 1
threshold=0 0.18950894957498224
decision_type=1 2
left_child=-1 -2
right_child=1 -3
leaf_value=0.18278958458649486 -0.17717316313965681 -0.10072900684816498
cat_boundaries=0 1
cat_threshold=10
is_linear=0
shrinkage=0.1

end of trees
"""),
    ]
}
